import type { Provider, Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleSessionController } from './console-session.controller.js';
import { ConsoleSessionService } from './console-session.service.js';
import { ConsoleController } from './console.controller.js';

/** The console's routes and services; none of them when CONSOLE_ENABLED=false (then no cookie opens anything). */
export function consolePart(config: GatewayConfig): { controllers: Type[]; providers: Provider[] } {
  if (!config.consoleEnabled) return { controllers: [], providers: [] };
  return {
    controllers: [ConsoleSessionController, ConsoleController],
    providers: [
      {
        provide: ConsoleSessionService,
        useFactory: (dataSource: DataSource, gateway: GatewayConfig) =>
          new ConsoleSessionService(dataSource, { idleMinutes: gateway.consoleSessionIdleMinutes, maxHours: gateway.consoleSessionMaxHours }),
        inject: [DataSource, GATEWAY_CONFIG],
      },
      { provide: ConsoleAssets, useFactory: () => ConsoleAssets.load() },
    ],
  };
}
