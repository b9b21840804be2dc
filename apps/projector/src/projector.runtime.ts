import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { EventStore } from '#event-store/event-store.port.js';
import { EventStoreDbEventStore } from '#event-store/eventstoredb/eventstoredb.event-store.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { ProjectionRunner, type Projection } from '#event-store/projection.runner.js';
import { createKafkaProjection } from '#kafka/kafka-projection.factory.js';
import type { KafkaTopicsProvisioner } from '#kafka/kafka-topics.provisioner.js';
import { readModelCheckpointStore } from '#kafka/projection-checkpoint.store.js';
import { measureProjectionLag, type ProjectionLag } from '#event-store/projection.lag.js';
import { createScimMetrics, type ScimMetrics } from '#observability/metrics.js';
import { openReadModelDataSource } from '#read-model/read-model.data-source.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';
import { LeaderElectedProjection, type LeaderElectedStatus } from './leader-elected.projection.js';
import type { ProjectorConfig } from './projector.config.js';

/** One projection as the projector runs it: under its lock, with its lag. */
export interface ManagedProjection {
  readonly name: string;
  status(): LeaderElectedStatus;
  lag(): Promise<ProjectionLag>;
}

export interface Projector {
  readonly projections: readonly ManagedProjection[];
  readonly eventStore: EventStore;
  /** The start-up creation of the Kafka topics (null without Kafka); /ready is 503 until it is done. */
  readonly kafkaTopics: KafkaTopicsProvisioner | null;
  /** Batches, Kafka publishes, lag and roles, served at the status server's /metrics. */
  readonly metrics: ScimMetrics;
  stop(): Promise<void>;
}

/**
 * The distributed topology's projector process: every projection the gateway runs in-process in embedded mode,
 * here each under a PostgreSQL advisory lock, so any number of replicas run and exactly one applies each.
 */
export async function startProjector(config: ProjectorConfig): Promise<Projector> {
  const logger = new Logger('Projector');
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => logger.error(`closing failed: ${String(error)}`));
  };
  const metrics = createScimMetrics(config, 'projector');
  try {
    const eventStore: EventStore =
      config.eventStore === 'eventstoredb'
        ? await EventStoreDbEventStore.create(config.eventStoreUrl!, { log: (message) => logger.error(message) })
        : await PostgresEventStore.create(config.databaseUrl, {
            poolSize: config.databasePoolSize,
            onBackgroundError: (error) => logger.error('event store: a background connection failed', error),
          });
    closers.push(() => eventStore.close());
    const dataSource: DataSource = await openReadModelDataSource({
      connectionString: config.databaseUrl,
      poolSize: config.databasePoolSize,
      statementTimeoutMs: config.longStatementTimeoutMs,
    });
    closers.push(() => dataSource.destroy());

    const entries: { projection: Projection; lag?: () => Promise<ProjectionLag>; batchSize?: number }[] = [
      { projection: new ReadModelProjection(dataSource) },
    ];
    let kafkaTopics: KafkaTopicsProvisioner | null = null;
    if (config.kafka) {
      const kafka = createKafkaProjection({
        config: config.kafka,
        eventStore,
        checkpoints: readModelCheckpointStore(dataSource),
        logger: new Logger('KafkaProjection'),
        metrics: metrics.kafkaPublish,
      });
      closers.push(() => kafka.close());
      // Every replica, active or standby: a subscriber may start before the first write (DESIGN.md "Kafka"), and
      // the replica that becomes active later finds the topics there. Idempotent, retried in the background.
      kafkaTopics = kafka.topics;
      kafkaTopics.start();
      entries.push({ projection: kafka.projection, lag: () => kafka.lag() });
    } else {
      logger.log('KAFKA_BROKERS is not set: no Kafka projection');
    }

    const managed = entries.map(({ projection, lag }) => {
      const runner = new ProjectionRunner(eventStore, projection, { logger: new Logger(`Projection ${projection.name}`), metrics: metrics.projection });
      const elected = new LeaderElectedProjection(runner, {
        connectionString: config.databaseUrl,
        retryMs: config.lockRetryMs,
        logger,
      });
      elected.start();
      return {
        name: projection.name,
        elected,
        status: () => elected.status(),
        lag: lag ?? (() => measureProjectionLag(eventStore, projection)),
      };
    });
    // Projections stop (and let go of their locks) before the store and producer they use are closed.
    closers.push(async () => {
      await Promise.all(managed.map((entry) => entry.elected.stop()));
    });
    // Lag from the stored checkpoints (every replica reports the same figures); the role is this replica's.
    metrics.observeProjectionLag(() => Promise.all(managed.map((entry) => entry.lag())));
    metrics.observeProjectorRoles(() => managed.map((entry) => ({ projection: entry.name, active: entry.status().role === 'active' })));
    return { projections: managed, eventStore, kafkaTopics, metrics, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
