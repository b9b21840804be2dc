import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadGatewayConfig, type LogLevel } from '#config/gateway.config.js';
import { loadKafkaConfig } from '#config/kafka.config.js';
import { configureGatewayApp } from './gateway.app.js';
import { GatewayModule } from './gateway.module.js';
import { openGatewayRuntime } from './gateway.runtime.js';
import { loadSchemaRegistry } from './schema-registry.loader.js';
import { SCIM_BASE_PATH } from './scim-paths.js';
import { TokenService } from './tenancy/token.service.js';
import { AdminTokenService } from './admin/admin-token.service.js';
import { ADMIN_BASE_PATH } from './admin/admin.paths.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

async function main(): Promise<void> {
  let config;
  let kafka;
  let registry;
  try {
    config = loadGatewayConfig(process.env);
    kafka = loadKafkaConfig(process.env);
    registry = await loadSchemaRegistry(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`The gateway did not start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = new Logger('Gateway');
  Logger.overrideLogger(LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1));

  const runtime = await openGatewayRuntime(config);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot({ config, kafka, runtime, registry }), {
    bodyParser: false,
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
  });
  configureGatewayApp(app, config);

  const bootstrap = await app.get(TokenService).bootstrapDefaultTenant(config.scimBearerToken);
  const adminBootstrap = await app.get(AdminTokenService).bootstrap(config.adminToken);
  await app.listen(config.port, config.host);

  const baseUrl = `${config.publicBaseUrl}/${SCIM_BASE_PATH}`;
  logger.log(`storage: ${runtime.storageDescription}`);
  logger.log(
    config.projections === 'external'
      ? 'projections: run by apps/projector (PROJECTIONS=external)'
      : `projections: read model${kafka ? `, Kafka (${kafka.brokers.join(',')})` : ' (Kafka off: KAFKA_BROKERS unset)'}, in this process`,
  );
  logger.log(`SCIM base URL (Entra "Tenant URL"): ${baseUrl}`);
  if (bootstrap.generatedToken) {
    // Shown once: only its hash is stored.
    logger.log(`created tenant "default"; its SCIM bearer token (Entra "Secret Token"), shown only this once:`);
    console.log(`\n    ${bootstrap.generatedToken}\n`);
  } else if (config.scimBearerToken) {
    logger.log('tenant "default" uses the token from SCIM_BEARER_TOKEN');
  }

  logger.log(`admin API: ${config.publicBaseUrl}/${ADMIN_BASE_PATH} (docs/admin.md; CLI: npm run admin -- help)`);
  if (adminBootstrap.generatedToken) {
    logger.log('admin API token (ADMIN_TOKEN for npm run admin), shown only this once:');
    console.log(`\n    ${adminBootstrap.generatedToken}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping`);
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`The gateway did not start: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && process.env.LOG_LEVEL === 'debug') console.error(error.stack);
  process.exit(1);
});
