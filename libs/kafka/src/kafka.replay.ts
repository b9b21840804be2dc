import { comparePositions, type EventStore, type GlobalPosition, type RecordedEvent } from '#event-store/event-store.port.js';
import { PUBLISHED_EVENT_TYPES } from './scim-cloud-event.mapper.js';
import type { ScimRecordSink } from './scim-event.publisher.js';
import { ScimRecordBuilder } from './scim-record.builder.js';

export interface KafkaReplayOptions {
  readonly store: Pick<EventStore, 'readAll' | 'readStream' | 'headPosition'>;
  readonly sink: ScimRecordSink;
  /** First position to republish (inclusive); START for the whole history. */
  readonly from: GlobalPosition;
  /** Last position to republish (inclusive). Default: the head when the replay starts, so it ends. */
  readonly to?: GlobalPosition;
  /** Events per read and per send. Default 2000. */
  readonly batchSize?: number;
  readonly onBatch?: (progress: KafkaReplayProgress) => void;
}

export interface KafkaReplayProgress {
  readonly events: number;
  readonly lastPosition: GlobalPosition | null;
  readonly seconds: number;
}

/**
 * Republishes the log to Kafka from a position (issue 5, "Replay"): for a consumer that lost its copy, or topics that
 * were recreated. It leaves the live Kafka projection's checkpoint alone; what it sends again reaches consumers as
 * duplicates, which they drop by event id or by revision (docs/kafka.md). Reads the next batch while the broker
 * acknowledges the current one.
 */
export async function replayToKafka(options: KafkaReplayOptions): Promise<KafkaReplayProgress> {
  const batchSize = options.batchSize ?? 2000;
  const to = options.to ?? (await options.store.headPosition());
  const builder = new ScimRecordBuilder(options.store);
  const started = Date.now();
  // readAll is exclusive; the position just before `from` makes `from` itself the first one read.
  const read = (after: GlobalPosition): Promise<RecordedEvent[]> =>
    options.store.readAll({ after, maxCount: batchSize, eventTypes: PUBLISHED_EVENT_TYPES });
  let events = 0;
  let lastPosition: GlobalPosition | null = null;
  let next: Promise<RecordedEvent[]> | null = read({ commit: options.from.commit, prepare: options.from.prepare - 1n });
  while (next) {
    const fetched: RecordedEvent[] = await next;
    const batch = fetched.filter((event) => comparePositions(event.position, to) <= 0);
    if (batch.length === 0) break;
    const last = batch[batch.length - 1].position;
    next = batch.length === batchSize && comparePositions(last, to) < 0 ? read(last) : null;
    const built = await builder.build(batch);
    await options.sink.publish(built.records);
    built.acknowledged();
    events += batch.length;
    lastPosition = last;
    options.onBatch?.({ events, lastPosition, seconds: (Date.now() - started) / 1000 });
  }
  await next?.catch(() => undefined); // a read started for nothing must not reject unobserved
  return { events, lastPosition, seconds: (Date.now() - started) / 1000 };
}
