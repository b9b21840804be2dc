import type { KafkaConfig } from '#config/kafka.config.js';
import type { EventStore } from '#event-store/event-store.port.js';
import { KafkaProjection, kafkaProjectionName } from './kafka.projection.js';
import type { KafkaLogger } from './kafka.logger.js';
import type { ProjectionCheckpointStore } from './projection-checkpoint.store.js';
import { measureProjectionLag, type ProjectionLag } from '#event-store/projection.lag.js';
import { ScimEventPublisher, type ScimEventPublisherOptions } from './scim-event.publisher.js';

export interface KafkaProjectionHandle {
  /** For a ProjectionRunner: in the gateway's process (embedded) or in apps/projector (distributed). */
  readonly projection: KafkaProjection;
  /** Events and seconds behind, from the stored checkpoint; one measurement per second at most. */
  lag(): Promise<ProjectionLag>;
  /** Disconnects the producer. Stop the runner first. */
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
}

/**
 * The Kafka projection ready to hand to a ProjectionRunner, with its lag. Creating it contacts no broker: the first
 * batch creates the topics and connects, so a gateway starts (and keeps taking writes) while Kafka is down.
 */
export function createKafkaProjection(options: KafkaProjectionOptions): KafkaProjectionHandle {
  const logger = options.logger ?? console;
  // Inline: the live projection's batches are small and latency counts; the send thread is for bulk (the replay).
  const publisher = new ScimEventPublisher(options.config, logger, { sendThread: 'inline', ...options.publisher });
  const projection = new KafkaProjection(publisher, options.checkpoints, options.eventStore, {
    name: kafkaProjectionName(options.config.topicPrefix),
  });
  const lagCacheMs = options.lagCacheMs ?? 1000;
  let lastLag: { at: number; lag: Promise<ProjectionLag> } | null = null;
  return {
    projection,
    lag() {
      if (lastLag && Date.now() - lastLag.at < lagCacheMs) return lastLag.lag;
      const lag = measureProjectionLag(options.eventStore, projection);
      lastLag = { at: Date.now(), lag };
      lag.catch(() => {
        lastLag = null; // measure again next time rather than repeat a failure
      });
      return lag;
    },
    close: () => publisher.close(),
  };
}
