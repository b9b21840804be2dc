import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, logFormatOf } from '#config/gateway.config.js';
import { installProcessLogger } from '#observability/process-logger.js';
import { olderRuntimeWarning, runtimeBanner } from '#observability/runtime-version.js';
import { startTracing, type Tracing } from '#observability/tracing.js';
import { loadTracingConfig } from '#observability/tracing.config.js';
import { loadProjectorConfig } from './projector.config.js';
import { startProjector } from './projector.runtime.js';
import { startProjectorStatusServer } from './projector.status-server.js';

const terminal = process.stdout.isTTY === true;
// Installed before the configuration is read, so that its errors are logged in the format asked for too.
const logging = installProcessLogger(logFormatOf(process.env, { stdoutIsTerminal: terminal }) ?? (terminal ? 'text' : 'json'));
const logger = new Logger('Projector');

async function main(): Promise<void> {
  // First, before anything can fail: `node dist/...` from a plain shell runs on the system's Node, not the pinned one.
  const olderRuntime = olderRuntimeWarning();
  if (olderRuntime) logger.warn(olderRuntime);
  let config;
  let tracing: Tracing;
  try {
    // Before anything else (OTEL_*; off by default): the projection batches and the Kafka sends are traced.
    tracing = startTracing(loadTracingConfig(process.env, 'scim-projector'));
    config = loadProjectorConfig(process.env, { stdoutIsTerminal: terminal });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(`The projector did not start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  logging.setThreshold(config.logLevel);
  const projector = await startProjector(config);
  const status = await startProjectorStatusServer(projector, config.host, config.port);
  logger.log(`runtime: ${runtimeBanner()}`);
  if (tracing.enabled) logger.log(`tracing: ${tracing.description}`);
  logger.log(`projections ${projector.projections.map((p) => p.name).join(', ')}; status on http://${config.host}:${status.port} (/ready, /metrics)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping`);
    await status.close();
    await projector.stop();
    await tracing.shutdown().catch((error: unknown) => logger.warn(`exporting the last spans failed: ${(error as Error).message}`));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  logger.fatal(`The projector failed: ${error instanceof Error ? error.message : String(error)}`, error instanceof Error ? error : undefined);
  process.exit(1);
});
