import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadGatewayConfig, logFormatOf } from '#config/gateway.config.js';
import { loadKafkaConfig } from '#config/kafka.config.js';
import { olderRuntimeWarning, runtimeBanner } from '#observability/runtime-version.js';
import { startTracing, type Tracing } from '#observability/tracing.js';
import { loadTracingConfig } from '#observability/tracing.config.js';
import { configureGatewayApp } from './gateway.app.js';
import { GatewayModule } from './gateway.module.js';
import { openGatewayRuntime } from './gateway.runtime.js';
import { loadSchemaRegistry } from './schema-registry.loader.js';
import { SCIM_BASE_PATH } from './scim-paths.js';
import { TokenService } from './tenancy/token.service.js';
import { AdminTokenService } from './admin/admin-token.service.js';
import { ADMIN_BASE_PATH } from './admin/admin.paths.js';
import { handOverGeneratedToken } from './generated-token.js';
import { installProcessLogger } from '#observability/process-logger.js';

const terminal = process.stdout.isTTY === true;
// Installed before the configuration is read, so that its errors are logged in the format asked for too.
const logging = installProcessLogger(logFormatOf(process.env, { stdoutIsTerminal: terminal }) ?? (terminal ? 'text' : 'json'));
const logger = new Logger('Gateway');

async function main(): Promise<void> {
  // First, before anything can fail: `node dist/...` from a plain shell runs on the system's Node, not the pinned one.
  const olderRuntime = olderRuntimeWarning();
  if (olderRuntime) logger.warn(olderRuntime);
  let config;
  let kafka;
  let registry;
  let tracing: Tracing;
  try {
    // Before anything else, so that the first statement and the first request are traced (OTEL_*; off by default).
    tracing = startTracing(loadTracingConfig(process.env, 'scim-gateway'));
    config = loadGatewayConfig(process.env, { stdoutIsTerminal: terminal });
    kafka = loadKafkaConfig(process.env);
    registry = await loadSchemaRegistry(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(`The gateway did not start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  logging.setThreshold(config.logLevel);

  const runtime = await openGatewayRuntime(config);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot({ config, kafka, runtime, registry }), {
    bodyParser: false,
    logger: logging.nest,
  });
  configureGatewayApp(app, config, { requestLog: logging });

  const bootstrap = await app.get(TokenService).bootstrapDefaultTenant(config.scimBearerToken);
  const adminBootstrap = await app.get(AdminTokenService).bootstrap(config.adminToken);
  await app.listen(config.port, config.host);

  const baseUrl = `${config.publicBaseUrl}/${SCIM_BASE_PATH}`;
  logger.log(`runtime: ${runtimeBanner()}`);
  logger.log(`storage: ${runtime.storageDescription}`);
  logger.log(tracing.enabled ? `tracing: ${tracing.description}` : 'tracing: off (no OTEL_TRACES_EXPORTER or OTEL_EXPORTER_OTLP_ENDPOINT)');
  logger.log(
    config.projections === 'external'
      ? 'projections: run by apps/projector (PROJECTIONS=external)'
      : `projections: read model${kafka ? `, Kafka (${kafka.brokers.join(',')})` : ' (Kafka off: KAFKA_BROKERS unset)'}, in this process`,
  );
  logger.log(`SCIM base URL (Entra "Tenant URL"): ${baseUrl}`);
  const handOver = { terminal, dataDir: config.dataDir, logger, print: (text: string) => void process.stdout.write(text) };
  if (bootstrap.generatedToken) {
    const description = 'created tenant "default"; its SCIM bearer token (Entra "Secret Token")';
    await handOverGeneratedToken({ variable: 'SCIM_BEARER_TOKEN', description, token: bootstrap.generatedToken }, handOver);
  } else if (config.scimBearerToken) {
    logger.log('tenant "default" uses the token from SCIM_BEARER_TOKEN');
  }

  logger.log(`admin API: ${config.publicBaseUrl}/${ADMIN_BASE_PATH} (docs/admin.md; CLI: npm run admin -- help)`);
  logger.log(
    config.consoleEnabled
      ? `console: ${config.publicBaseUrl}/console (sign in with the admin token; docs/console.md)`
      : 'console: off (CONSOLE_ENABLED=false)',
  );
  if (adminBootstrap.generatedToken) {
    const description = 'admin API token (ADMIN_TOKEN for npm run admin; it signs in to the console)';
    await handOverGeneratedToken({ variable: 'ADMIN_TOKEN', description, token: adminBootstrap.generatedToken }, handOver);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping`);
    await app.close();
    await runtime.close();
    // Exports the spans still buffered (the last requests, the close itself).
    await tracing.shutdown().catch((error: unknown) => logger.warn(`exporting the last spans failed: ${(error as Error).message}`));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = `The gateway did not start: ${error instanceof Error ? error.message : String(error)}`;
  // The stack only on request (LOG_LEVEL=debug): the message says what to do; the stack is for developers.
  if (error instanceof Error && logging.isLevelEnabled('debug')) logger.fatal(message, error);
  else logger.fatal(message);
  process.exit(1);
});
