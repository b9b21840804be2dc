import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { EVENT_STORE } from '#event-store/event-store.port.js';
import { ProjectionRunner } from '#event-store/projection.runner.js';
import { StreamStateCache } from '#event-store/stream-state.cache.js';
import { GroupsProjection } from '#read-model/groups.projection.js';
import { GroupsQuery } from '#read-model/groups.query.js';
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
import { GROUP_COMMAND_HANDLERS } from './groups/group.command-handlers.js';
import { GroupsController } from './groups/groups.controller.js';
import { RootSearchController } from './search/root-search.controller.js';
import { BulkController } from './bulk/bulk.controller.js';

const READ_MODEL_RUNNERS = Symbol('ReadModelRunners');

/** The gateway's object graph, over an already opened runtime (so tests can hand it an in-memory one). */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, runtime: GatewayRuntime, registry: SchemaRegistry): DynamicModule {
    return {
      module: GatewayModule,
      imports: [CqrsModule.forRoot()],
      controllers: [UsersController, GroupsController, RootSearchController, BulkController, DiscoveryController, HealthController],
      // The root search reuses the per-type searches.
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: runtime.eventStore },
        { provide: SCHEMA_REGISTRY, useValue: registry },
        { provide: UsersQuery, useValue: new UsersQuery(runtime.dataSource, registry) },
        { provide: GroupsQuery, useValue: new GroupsQuery(runtime.dataSource, registry) },
        { provide: StreamStateCache, useValue: new StreamStateCache() },
        { provide: TokenService, useValue: new TokenService(runtime.dataSource) },
        {
          provide: READ_MODEL_RUNNERS,
          useFactory: () => {
            const logger = new Logger('Projection');
            const options = { logger: { log: (m: string) => logger.log(m), error: (m: string, trace?: string) => logger.error(m, trace) } };
            return [new UsersProjection(runtime.dataSource), new GroupsProjection(runtime.dataSource)].map(
              (projection) => new ProjectionRunner(runtime.eventStore, projection, options),
            );
          },
        },
        {
          provide: ReadModelProgress,
          inject: [READ_MODEL_RUNNERS],
          useFactory: (runners: ProjectionRunner[]) => new ReadModelProgress(runners, config.readYourWritesTimeoutMs),
        },
        { provide: InProcessProjector, inject: [READ_MODEL_RUNNERS], useFactory: (runners: ProjectionRunner[]) => new InProcessProjector(runners) },
        BearerTokenGuard,
        UsersController,
        GroupsController,
        ...USER_COMMAND_HANDLERS,
        ...GROUP_COMMAND_HANDLERS,
      ],
    };
  }
}
