import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, type LogLevel } from '#config/gateway.config.js';
import { loadProjectorConfig } from './projector.config.js';
import { startProjector } from './projector.runtime.js';
import { startProjectorStatusServer } from './projector.status-server.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

async function main(): Promise<void> {
  let config;
  try {
    config = loadProjectorConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`The projector did not start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  Logger.overrideLogger(LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1));
  const logger = new Logger('Projector');
  const projector = await startProjector(config);
  const status = await startProjectorStatusServer(projector, config.host, config.port);
  logger.log(`projections ${projector.projections.map((p) => p.name).join(', ')}; status on http://${config.host}:${status.port} (/ready, /metrics)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping`);
    await status.close();
    await projector.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('The projector failed:', error);
  process.exit(1);
});
