import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import type { KafkaConfig } from '#config/kafka.config.js';
import { EVENT_STORE } from '#event-store/event-store.port.js';
import { ProjectionRunner, type ProjectionRunnerOptions } from '#event-store/projection.runner.js';
import { StreamStateCache } from '#event-store/stream-state.cache.js';
import { StreamTurns } from '#event-store/stream-turns.js';
import { createKafkaProjection, type KafkaProjectionHandle } from '#kafka/kafka-projection.factory.js';
import { readModelCheckpointStore } from '#kafka/projection-checkpoint.store.js';
import { GroupsQuery } from '#read-model/groups.query.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';
import { UsersQuery } from '#read-model/users.query.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { ScimMetrics } from '#observability/metrics.js';
import { DataSource } from 'typeorm';
import { AdminTokenGuard } from './admin/admin-token.guard.js';
import { AdminTokenService } from './admin/admin-token.service.js';
import type { AdminPart } from './admin/admin.parts.js';
import { AUDIT_ADMIN } from './admin/audit.admin.js';
import { OverviewController } from './admin/overview.controller.js';
import { TENANTS_ADMIN } from './admin/tenants.admin.js';
import { PROVISIONING_LOG_ADMIN } from './provisioning-log/provisioning-log.admin.js';
import { BulkController } from './bulk/bulk.controller.js';
import { CommandRunner } from './commands/command.runner.js';
import { consolePart } from './console/console.part.js';
import { DiscoveryController } from './discovery/discovery.controller.js';
import { DIRECTORY_ADMIN } from './directory/directory.admin.js';
import type { GatewayRuntime } from './gateway.runtime.js';
import { GROUP_COMMAND_HANDLERS } from './groups/group.command-handlers.js';
import { GroupsController } from './groups/groups.controller.js';
import { LimitsController } from './discovery/limits.controller.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { BearerTokenGuard } from './http/bearer-token.guard.js';
import { TenantReadLimit, TenantReadSlots, tenantReadSlotsOf } from './http/tenant-read-limit.js';
import { InProcessProjector, KAFKA_PROJECTION } from './projections/in-process.projector.js';
import { CheckpointReadModelProgress, InProcessReadModelProgress, ReadModelProgress } from './projections/read-model.progress.js';
import { SCHEMA_REGISTRY } from './schema-registry.loader.js';
import { SchemaRegistries } from './schemas/schema-registries.js';
import { TenantSettings } from './tenancy/tenant-settings.js';
import { TENANT_SCHEMAS_ADMIN } from './schemas/tenant-schemas.admin.js';
import { RootSearchController } from './search/root-search.controller.js';
import { TokenService } from './tenancy/token.service.js';
import { USER_COMMAND_HANDLERS } from './users/user.command-handlers.js';
import { UsersController } from './users/users.controller.js';

const ADMIN_PARTS: readonly AdminPart[] = [TENANTS_ADMIN, TENANT_SCHEMAS_ADMIN, AUDIT_ADMIN, PROVISIONING_LOG_ADMIN, DIRECTORY_ADMIN];

/** Everything the gateway's object graph is built over; opened before Nest starts (tests hand in their own). */
export interface GatewayDependencies {
  readonly config: GatewayConfig;
  /** null: KAFKA_BROKERS unset, no Kafka projection. */
  readonly kafka: KafkaConfig | null;
  readonly runtime: GatewayRuntime;
  readonly registry: SchemaRegistry;
}

@Module({})
export class GatewayModule {
  static forRoot({ config, kafka, runtime, registry }: GatewayDependencies): DynamicModule {
    const logger = new Logger('Projection');
    const runnerOptions: ProjectionRunnerOptions = {
      logger: { log: (m) => logger.log(m), error: (m, trace) => logger.error(m, trace) },
      metrics: runtime.metrics.projection,
    };
    const inProcess = config.projections === 'in-process';
    // Embedded (and single-gateway) mode runs the projections here; the distributed topology leaves them to
    // apps/projector, one active instance per projection (DESIGN.md "Two ways to run").
    // Writes wait for this projection (read-your-writes): after a broken connection or an outage it must retry well
    // within READ_YOUR_WRITES_TIMEOUT_MS, not sleep the runner's default 30 s while writes are answered unseen.
    const readModelRunner = inProcess
      ? new ProjectionRunner(runtime.eventStore, new ReadModelProjection(runtime.dataSource), { ...runnerOptions, maxBackOffMs: Math.max(200, Math.min(2_000, config.readYourWritesTimeoutMs / 2)) })
      : null;
    const kafkaHandle: KafkaProjectionHandle | null =
      inProcess && kafka
        ? createKafkaProjection({
            config: kafka,
            eventStore: runtime.eventStore,
            checkpoints: readModelCheckpointStore(runtime.dataSource),
            logger: new Logger('Kafka'),
            metrics: runtime.metrics.kafkaPublish,
          })
        : null;
    // A broker outage must not leave the Kafka projection asleep for long once the broker is back.
    const kafkaRunner = kafkaHandle ? new ProjectionRunner(runtime.eventStore, kafkaHandle.projection, { ...runnerOptions, maxBackOffMs: 5_000 }) : null;
    const readModelProgress = readModelRunner
      ? new InProcessReadModelProgress(readModelRunner, config.readYourWritesTimeoutMs)
      : new CheckpointReadModelProgress(runtime.dataSource, runtime.eventStore, config.readYourWritesTimeoutMs);

    // One instance: SchemaRegistries keeps it current (one generation counter for tenant schemas and settings).
    const tenantSettings = TenantSettings.fromConfig(config);
    const consoleRoutes = consolePart(config);

    return {
      module: GatewayModule,
      imports: [CqrsModule.forRoot()],
      controllers: [
        UsersController,
        GroupsController,
        RootSearchController,
        BulkController,
        DiscoveryController,
        HealthController,
        MetricsController,
        LimitsController,
        ...ADMIN_PARTS.flatMap((part) => part.controllers),
        OverviewController,
        ...consoleRoutes.controllers,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: ScimMetrics, useValue: runtime.metrics },
        { provide: EVENT_STORE, useValue: runtime.eventStore },
        { provide: DataSource, useValue: runtime.dataSource },
        { provide: AdminTokenService, useValue: new AdminTokenService(runtime.dataSource) },
        AdminTokenGuard,
        ...consoleRoutes.providers,
        ...ADMIN_PARTS.flatMap((part) => part.providers),
        { provide: SCHEMA_REGISTRY, useValue: registry },
        { provide: SchemaRegistries, useValue: new SchemaRegistries(registry, runtime.dataSource, tenantSettings) },
        { provide: TenantSettings, useValue: tenantSettings },
        { provide: UsersQuery, useValue: new UsersQuery(runtime.reads, registry, { statementTimeoutMs: runtime.readStatementTimeoutMs }) },
        { provide: GroupsQuery, useValue: new GroupsQuery(runtime.reads, registry, { statementTimeoutMs: runtime.readStatementTimeoutMs }) },
        { provide: StreamStateCache, useValue: new StreamStateCache() },
        { provide: StreamTurns, useValue: new StreamTurns() },
        { provide: TokenService, useValue: new TokenService(runtime.dataSource, { newTenantExternalIdUniqueness: config.externalIdUniqueness }) },
        { provide: ReadModelProgress, useValue: readModelProgress },
        { provide: KAFKA_PROJECTION, useValue: kafkaHandle ? { handle: kafkaHandle, runner: kafkaRunner! } : null },
        { provide: InProcessProjector, useValue: new InProcessProjector([readModelRunner, kafkaRunner].filter((r) => r !== null), kafkaHandle) },
        { provide: ReadModelProjection, useValue: new ReadModelProjection(runtime.dataSource) },
        BearerTokenGuard,
        { provide: TenantReadSlots, useValue: tenantReadSlotsOf(config) },
        TenantReadLimit,
        CommandRunner,
        // The root search reuses the per-type searches of these two.
        UsersController,
        GroupsController,
        ...USER_COMMAND_HANDLERS,
        ...GROUP_COMMAND_HANDLERS,
      ],
    };
  }
}
