import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { GatewayConfig } from '#config/gateway.config.js';
import { withAppendMetrics } from '#event-store/append-metrics.event-store.js';
import type { EventStore } from '#event-store/event-store.port.js';
import { EventStoreDbEventStore } from '#event-store/eventstoredb/eventstoredb.event-store.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { startEmbeddedPostgres } from '#postgres/embedded/pglite.server.js';
import { openReadModelDataSource, openReadPool, preparedQueries } from '#read-model/read-model.data-source.js';
import type { SqlQueryable } from '#read-model/users.query.js';
import { PlannerStatistics } from '#read-model/read-model.statistics.js';
import { createScimMetrics, type ScimMetrics } from '#observability/metrics.js';
import { GATEWAY_MIGRATIONS } from './gateway.tables.js';

/** The outside resources a gateway process holds; opened before Nest starts, closed after it stops. */
export interface GatewayRuntime {
  readonly eventStore: EventStore;
  readonly dataSource: DataSource;
  /**
   * Where the SCIM reads (UsersQuery, GroupsQuery) run: on a PostgreSQL server a pool of their own whose statements
   * end after READ_STATEMENT_TIMEOUT_MS (`readStatementTimeoutMs`); on PGlite, which enforces no timeout, the
   * DataSource's pool (and `readStatementTimeoutMs` undefined).
   */
  readonly reads: SqlQueryable;
  readonly readStatementTimeoutMs: number | undefined;
  /** "embedded PGlite in ./data" or "PostgreSQL server": for the start-up log. */
  readonly storageDescription: string;
  /**
   * This process's metrics (METRICS_ENABLED): made here, with the resources, because the event store is wrapped
   * to measure its appends before anything uses it; the Nest module and the HTTP layer take them from here.
   */
  readonly metrics: ScimMetrics;
  close(): Promise<void>;
}

/**
 * Embedded (no DATABASE_URL): PGlite in DATA_DIR, served over a private Unix socket so `pg` and TypeORM use it
 * exactly like a server. Otherwise the PostgreSQL server at DATABASE_URL.
 */
export async function openGatewayRuntime(
  config: Pick<
    GatewayConfig,
    'databaseUrl' | 'dataDir' | 'databasePoolSize' | 'eventStore' | 'eventStoreUrl' | 'readStatementTimeoutMs' | 'longStatementTimeoutMs' | 'metricsEnabled' | 'metricsTenantLabel'
  >,
  options: { inMemory?: boolean } = {},
): Promise<GatewayRuntime> {
  const logger = new Logger('GatewayRuntime');
  const poolSize = config.databasePoolSize;
  // Two pools (event store, read model) share the embedded server; +2 for LISTEN and spare connections.
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedPostgres({
        dataDir: options.inMemory ? undefined : config.dataDir,
        maxConnections: poolSize * 2 + 2,
        logError: (message, error) => new Logger('EmbeddedPostgres').error(message, error),
      });
  const connectionString = config.databaseUrl ?? embedded!.connectionString;
  const closers: (() => Promise<void>)[] = [];
  const metrics = createScimMetrics(config, 'gateway');
  try {
    // EVENT_STORE picks where events live; the read model (and projection checkpoints) stays in PostgreSQL.
    // The Postgres store picks its wake-up mode itself: in-process on PGlite, LISTEN/NOTIFY on a server.
    const store: EventStore =
      config.eventStore === 'eventstoredb'
        ? await EventStoreDbEventStore.create(config.eventStoreUrl!, { log: (message) => logger.error(message) })
        : await PostgresEventStore.create(connectionString, { poolSize, onBackgroundError: (error) => logger.error('event store: a background connection failed', error) });
    closers.push(() => store.close());
    const dataSource = await openReadModelDataSource({
      connectionString,
      poolSize,
      extraMigrations: GATEWAY_MIGRATIONS,
      ...(embedded ? {} : { statementTimeoutMs: config.longStatementTimeoutMs }),
    });
    closers.push(() => dataSource.destroy());
    const readPool = embedded ? null : openReadPool(connectionString, poolSize, config.readStatementTimeoutMs);
    if (readPool) closers.push(() => readPool.close());
    // The planner needs statistics (PlannerStatistics): after the projection catches up over a large part of the
    // log, on both backends (a server's autovacuum would come about a minute later); and on PGlite, which has no
    // autovacuum, also at start and every 10 minutes.
    const statistics = new PlannerStatistics(dataSource, { log: (message) => logger.log(message), warn: (message) => logger.warn(message) });
    const storeLabel = config.eventStore === 'eventstoredb' ? 'eventstoredb' : embedded ? 'pglite' : 'postgres';
    const eventStore = withAppendMetrics(statistics.watchCatchUp(store), metrics.appendMetrics(storeLabel));
    if (embedded) {
      await statistics.analyze();
      const timer = setInterval(() => void statistics.analyze(), 10 * 60_000);
      timer.unref();
      closers.push(async () => clearInterval(timer));
    }
    return {
      eventStore,
      dataSource,
      reads: readPool?.queries ?? preparedQueries(dataSource),
      readStatementTimeoutMs: readPool ? config.readStatementTimeoutMs : undefined,
      storageDescription: describeStorage(config, embedded !== null, options.inMemory === true),
      metrics,
      async close() {
        // Reverse order, and the embedded server last: clients disconnect before it goes away.
        for (const close of [...closers].reverse()) {
          await close().catch((error: unknown) => logger.error(`closing failed: ${String(error)}`));
        }
        await embedded?.stop();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    if (embedded) await embedded.stop().catch(() => undefined);
    throw error;
  }
}

function describeStorage(config: Pick<GatewayConfig, 'eventStore' | 'dataDir'>, embedded: boolean, inMemory: boolean): string {
  const readModelPlace = embedded ? (inMemory ? 'embedded PGlite (in memory)' : `embedded PGlite in ${config.dataDir}`) : 'the PostgreSQL server (DATABASE_URL)';
  return config.eventStore === 'eventstoredb' ? `events in EventStoreDB (EVENTSTORE_URL), read model in ${readModelPlace}` : `events and read model in ${readModelPlace}`;
}
