import type { EventStore, GlobalPosition, RecordedEvent } from '#event-store/event-store.port.js';
import type { Projection } from '#event-store/projection.runner.js';
import type { ProjectionCheckpointStore } from './projection-checkpoint.store.js';
import { PUBLISHED_EVENT_TYPES } from './scim-cloud-event.mapper.js';
import type { ScimRecordSink } from './scim-event.publisher.js';
import { ScimRecordBuilder } from './scim-record.builder.js';

/** One checkpoint per topic prefix: pointing the gateway at new topics publishes the history there too. */
export function kafkaProjectionName(topicPrefix: string): string {
  return `kafka.${topicPrefix}`;
}

/**
 * The Kafka projection (DESIGN.md "Kafka"): each batch the runner hands over becomes one send, and the checkpoint
 * moves only after the broker acknowledged all of it. At-least-once: a failure anywhere before the checkpoint is
 * saved makes the runner retry the same batch, so events may be published twice, never skipped or reordered.
 */
export class KafkaProjection implements Projection {
  readonly name: string;
  readonly eventTypes = PUBLISHED_EVENT_TYPES;
  private readonly builder: ScimRecordBuilder;

  constructor(
    private readonly sink: ScimRecordSink,
    private readonly checkpoints: ProjectionCheckpointStore,
    store: Pick<EventStore, 'readStream'>,
    options: { readonly name: string; readonly groupCacheSize?: number },
  ) {
    this.name = options.name;
    this.builder = new ScimRecordBuilder(store, { groupCacheSize: options.groupCacheSize });
  }

  loadCheckpoint(): Promise<GlobalPosition> {
    return this.checkpoints.load(this.name);
  }

  async apply(events: readonly RecordedEvent[], checkpoint: GlobalPosition): Promise<void> {
    const batch = await this.builder.build(events);
    await this.sink.publish(batch.records);
    batch.acknowledged();
    await this.checkpoints.save(this.name, checkpoint);
  }
}
