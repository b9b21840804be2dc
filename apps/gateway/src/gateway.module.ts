import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { EVENT_STORE } from '#event-store/event-store.port.js';
import { ProjectionRunner } from '#event-store/projection.runner.js';
import { UsersProjection } from '#read-model/users.projection.js';
import { UsersQuery } from '#read-model/users.query.js';
import type { GatewayRuntime } from './gateway.runtime.js';
import { SCHEMA_REGISTRY } from './schema-registry.loader.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { DiscoveryController } from './discovery/discovery.controller.js';
import { HealthController } from './health/health.controller.js';
import { BearerTokenGuard } from './http/bearer-token.guard.js';
import { InProcessProjector } from './projections/read-model.projector.js';
import { ReadModelProgress } from './projections/read-model.progress.js';
import { TokenService } from './tenancy/token.service.js';
import { USER_COMMAND_HANDLERS } from './users/user.command-handlers.js';
import { UsersController } from './users/users.controller.js';

const USERS_PROJECTION_RUNNER = Symbol('UsersProjectionRunner');

/** The gateway's object graph, over an already opened runtime (so tests can hand it an in-memory one). */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, runtime: GatewayRuntime, registry: SchemaRegistry): DynamicModule {
    return {
      module: GatewayModule,
      imports: [CqrsModule.forRoot()],
      controllers: [UsersController, DiscoveryController, HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: runtime.eventStore },
        { provide: SCHEMA_REGISTRY, useValue: registry },
        { provide: UsersQuery, useValue: new UsersQuery(runtime.dataSource) },
        { provide: TokenService, useValue: new TokenService(runtime.dataSource) },
        {
          provide: USERS_PROJECTION_RUNNER,
          useFactory: () =>
            new ProjectionRunner(runtime.eventStore, new UsersProjection(runtime.dataSource), {
              logger: { log: (m) => console.log(m), error: (m, trace) => console.error(m, trace ?? '') },
            }),
        },
        {
          provide: ReadModelProgress,
          inject: [USERS_PROJECTION_RUNNER],
          useFactory: (runner: ProjectionRunner) => new ReadModelProgress(runner, config.readYourWritesTimeoutMs),
        },
        { provide: InProcessProjector, inject: [USERS_PROJECTION_RUNNER], useFactory: (runner: ProjectionRunner) => new InProcessProjector([runner]) },
        BearerTokenGuard,
        ...USER_COMMAND_HANDLERS,
      ],
    };
  }
}
