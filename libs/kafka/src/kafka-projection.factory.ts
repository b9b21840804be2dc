import type { KafkaConfig } from '#config/kafka.config.js';
import type { EventStore } from '#event-store/event-store.port.js';
import type { KafkaPublishMetrics } from '#observability/metrics.recorders.js';
import { KafkaProjection, kafkaProjectionName } from './kafka.projection.js';
import type { KafkaLogger } from './kafka.logger.js';
import type { ProjectionCheckpointStore } from './projection-checkpoint.store.js';
import { measureProjectionLag, type ProjectionLag } from '#event-store/projection.lag.js';
import { ScimEventPublisher, type ScimEventPublisherOptions } from './scim-event.publisher.js';
import { KafkaTopicsProvisioner, type KafkaTopicsProvisionerOptions } from './kafka-topics.provisioner.js';

export interface KafkaProjectionHandle {
  /** For a ProjectionRunner: in the gateway's process (embedded) or in apps/projector (distributed). */
  readonly projection: KafkaProjection;
  /**
   * Creates the topics at start, retrying in the background; whoever runs the projection calls `topics.start()`
   * when the process starts and reports `topics.notReadyReason()` on /ready.
   */
  readonly topics: KafkaTopicsProvisioner;
  /** Events and seconds behind, from the stored checkpoint; one measurement per second at most. */
  lag(): Promise<ProjectionLag>;
  /** Stops creating the topics and disconnects the producer. Stop the runner first. */
  close(): Promise<void>;
}

export interface KafkaProjectionOptions {
  readonly config: KafkaConfig;
  readonly eventStore: EventStore;
  readonly checkpoints: ProjectionCheckpointStore;
  /** Default: console. */
  readonly logger?: KafkaLogger;
  /** Timeouts and retries of one publish (defaults suit production; tests shorten them). */
  readonly publisher?: ScimEventPublisherOptions;
  /** How long a lag measurement is reused (/ready and /metrics may be polled often). Default 1000 ms. */
  readonly lagCacheMs?: number;
  /** Pauses between attempts to create the topics (defaults suit production; tests shorten them). */
  readonly topicRetry?: KafkaTopicsProvisionerOptions;
  /** The publishes' latency, sizes and failures (scim_kafka_publish_*); default: none recorded. */
  readonly metrics?: KafkaPublishMetrics;
}

/**
 * The Kafka projection ready to hand to a ProjectionRunner, with its lag and the start-up creation of its topics.
 * Creating it contacts no broker: `topics.start()` and the first batch do, in the background, so a gateway starts
 * (and keeps taking writes) while Kafka is down.
 */
export function createKafkaProjection(options: KafkaProjectionOptions): KafkaProjectionHandle {
  const logger = options.logger ?? console;
  // Inline: the live projection's batches are small and latency counts; the send thread is for bulk (the replay).
  const publisher = new ScimEventPublisher(options.config, logger, { sendThread: 'inline', metrics: options.metrics, ...options.publisher });
  const projection = new KafkaProjection(publisher, options.checkpoints, options.eventStore, {
    name: kafkaProjectionName(options.config.topicPrefix),
  });
  const topics = new KafkaTopicsProvisioner(() => publisher.prepare(), logger, options.topicRetry);
  const lagCacheMs = options.lagCacheMs ?? 1000;
  let lastLag: { at: number; lag: Promise<ProjectionLag> } | null = null;
  return {
    projection,
    topics,
    lag() {
      if (lastLag && Date.now() - lastLag.at < lagCacheMs) return lastLag.lag;
      const lag = measureProjectionLag(options.eventStore, projection);
      lastLag = { at: Date.now(), lag };
      lag.catch(() => {
        lastLag = null; // measure again next time rather than repeat a failure
      });
      return lag;
    },
    async close() {
      await topics.stop();
      await publisher.close();
    },
  };
}
