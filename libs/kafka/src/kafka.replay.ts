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
 * duplicates, which they drop by event id or by revision (docs/kafka.md).
 *
 * A pipeline of three stages, each one batch ahead of the next: the store reads batch n+2 while batch n+1 is built
 * (and the group attributes folded, in log order) while the broker acknowledges batch n. Sends stay one at a time
 * and in log order, so each key's events reach their partition in order; the replay resolves only after the broker
 * acknowledged every batch, and rejects on the first failure (nothing is skipped: run it again from `from`).
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
  // The send in flight; a failure is kept (not left unobserved while the next batch is read or built) and rethrown.
  let sending: Promise<void> | null = null;
  let sendFailure: { error: unknown } | null = null;
  const awaitSend = async (): Promise<void> => {
    await sending;
    sending = null;
    if (sendFailure) throw sendFailure.error;
  };
  let next: Promise<RecordedEvent[]> | null = read({ commit: options.from.commit, prepare: options.from.prepare - 1n });
  try {
    while (next) {
      const fetched: RecordedEvent[] = await next;
      const batch = fetched.filter((event) => comparePositions(event.position, to) <= 0);
      if (batch.length === 0) break;
      const last = batch[batch.length - 1].position;
      next = batch.length === batchSize && comparePositions(last, to) < 0 ? read(last) : null;
      const built = await builder.build(batch);
      // Known at once, not after the acknowledgement (as the live projection must wait): a replay that fails is not
      // retried batch by batch, it ends; so the next batch may fold this one's group attributes while it is sent.
      built.acknowledged();
      await awaitSend();
      sending = options.sink.publish(built.records).then(
        () => {
          events += batch.length;
          lastPosition = last;
          options.onBatch?.({ events, lastPosition, seconds: (Date.now() - started) / 1000 });
        },
        (error: unknown) => {
          sendFailure = { error };
        },
      );
    }
    await awaitSend();
  } finally {
    await sending; // never rejects (see above); a failed replay still waits for its last send to settle
    await next?.catch(() => undefined); // a read started for nothing must not reject unobserved
  }
  return { events, lastPosition, seconds: (Date.now() - started) / 1000 };
}
