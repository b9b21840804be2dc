import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  BACKWARDS,
  END,
  START,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import type { EventStoreDbConnection, VendorRead, VendorSubscription } from './eventstoredb.connection.js';

/**
 * An in-memory stand-in for an EventStoreDB server behind @eventstore/db-client, for tests on machines where no
 * server can run. It models what the adapter relies on, as documented and as read in the server's source:
 * expected revisions with the client's own WrongExpectedVersionError; idempotent appends (the same ids at the
 * expected revisions are stored once and answered as the first time); StreamNotFoundError for a missing stream;
 * positions (commit, prepare) with commit = prepare = the event's log position, on $all and stream reads alike;
 * reads of $all from a position that include the event at that position; filtered catch-up subscriptions; and
 * the server's own `$` events interleaved with ours. It proves the adapter's logic against that model, not the
 * model against a real server: eventstoredb.event-store.int.spec.ts does that where a server runs.
 */
export class InMemoryEventStoreDbServer {
  /** Runs before each append is applied: tests make races and outages happen here. */
  beforeAppend: ((streamName: string, events: readonly EventData[]) => void | Promise<void>) | null = null;
  /** Runs after an append was applied, before it is answered: throwing here loses the answer, not the append. */
  afterAppend: ((streamName: string, events: readonly EventData[]) => void | Promise<void>) | null = null;
  /** While true every call fails as it does against a server that cannot be reached. */
  unavailable = false;

  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly subscriptions = new Set<FakeSubscription>();
  private nextLogPosition = 1_024n;
  private appendCount = 0;

  /** @param systemEventsEvery after every how many appends the server writes events of its own (`$>` links). */
  constructor(private readonly systemEventsEvery = 3) {
    // What a fresh server writes about itself before anyone appends.
    this.store('$user-admin', '$UserCreated', '{"loginName":"admin"}', undefined, true);
    this.store('$$$settings', '$metadata', '{}', undefined, true);
  }

  /** A client connection, as one process would hold; dispose() ends only its own subscriptions. */
  connect(): EventStoreDbConnection {
    const owned = new Set<FakeSubscription>();
    return {
      appendToStream: (streamName, events, options) => this.appendToStream(streamName, events, options),
      readStream: (streamName, options) => this.readStream(streamName, options),
      readAll: (options) => this.readAll(options),
      subscribeToAll: (options) => {
        const subscription = this.subscribeToAll(options);
        owned.add(subscription);
        return subscription;
      },
      dispose: async () => {
        for (const subscription of owned) await subscription.unsubscribe();
      },
    };
  }

  /** Every event in the log, the server's own included, in log order (for assertions). */
  allEvents(): readonly { streamId: string; type: string; id: string; revision: bigint }[] {
    return this.log.map(({ streamId, type, id, revision }) => ({ streamId, type, id, revision }));
  }

  private async appendToStream(streamName: string, events: EventData[], options: AppendToStreamOptions = {}): Promise<AppendResult> {
    await new Promise((resolve) => setImmediate(resolve)); // a round trip: other callers interleave here
    if (this.unavailable) throw new UnavailableError(undefined, 'fake server unreachable');
    await this.beforeAppend?.(streamName, events);
    if (this.unavailable) throw new UnavailableError(undefined, 'fake server unreachable');
    const expected: AppendExpectedRevision = options.expectedRevision ?? 'any';
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length === 0 ? null : stream[stream.length - 1].revision;

    const already = this.storedAlready(stream, events, expected, current);
    if (already) return { success: true, nextExpectedRevision: already.revision, position: already.position };
    const accepted =
      expected === 'any' ||
      (expected === 'no_stream' && current === null) ||
      (expected === 'stream_exists' && current !== null) ||
      (typeof expected === 'bigint' && current === expected);
    if (!accepted) throw new WrongExpectedVersionError(undefined, { streamName, expected, current: current ?? 'no_stream' });

    let last: StoredEvent | undefined;
    for (const event of events) {
      const data = event.contentType === 'application/json' ? JSON.stringify(event.data) : Buffer.from(event.data as Uint8Array).toString('base64');
      const metadata = event.metadata === undefined ? undefined : event.metadata instanceof Uint8Array ? undefined : JSON.stringify(event.metadata);
      last = this.store(streamName, event.type, data, metadata, event.contentType === 'application/json', event.id);
    }
    if (++this.appendCount % this.systemEventsEvery === 0) {
      // As the $by_category system projection does: a link to our event in a `$ce-` stream.
      this.store(`$ce-${streamName.split('-')[0]}`, '$>', `${last!.revision}@${streamName}`, undefined, false);
    }
    await this.afterAppend?.(streamName, events);
    return { success: true, nextExpectedRevision: last!.revision, position: last!.position };
  }

  /** The server's idempotency check: these ids already stored at the revisions this append expects. */
  private storedAlready(stream: readonly StoredEvent[], events: readonly EventData[], expected: AppendExpectedRevision, current: bigint | null): StoredEvent | null {
    if (current === null || events.length === 0) return null;
    let first: number;
    if (expected === 'no_stream') first = 0;
    else if (typeof expected === 'bigint') first = Number(expected) + 1;
    else first = stream.findIndex((stored) => stored.id === events[0].id);
    if (first < 0) return null;
    const same = events.every((event, index) => stream[first + index]?.id === event.id);
    return same ? stream[first + events.length - 1] : null;
  }

  private store(streamId: string, type: string, data: string, metadata: string | undefined, isJson: boolean, id: string = randomUUID()): StoredEvent {
    const stream = this.streams.get(streamId) ?? [];
    const position = { commit: this.nextLogPosition, prepare: this.nextLogPosition };
    this.nextLogPosition += 100n + BigInt(data.length);
    const event: StoredEvent = { streamId, revision: BigInt(stream.length), id, type, data, metadata, isJson, created: new Date(), position };
    stream.push(event);
    this.streams.set(streamId, stream);
    this.log.push(event);
    for (const subscription of this.subscriptions) subscription.offer(event);
    return event;
  }

  private readStream(streamName: string, options: ReadStreamOptions = {}): VendorRead<ResolvedEvent> {
    return new FakeRead<ResolvedEvent>(() => {
      if (this.unavailable) throw new UnavailableError(undefined, 'fake server unreachable');
      const stream = this.streams.get(streamName);
      if (!stream) throw new StreamNotFoundError(undefined, streamName);
      const backwards = options.direction === BACKWARDS;
      const from = options.fromRevision ?? (backwards ? END : START);
      const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const selected = backwards
        ? stream.filter((event) => from === END || (from !== START && event.revision <= from)).reverse()
        : stream.filter((event) => from === START || (from !== END && event.revision >= from));
      return selected.slice(0, maxCount).map((event) => ({ event: toVendorEvent(event) }) as ResolvedEvent);
    });
  }

  private readAll(options: ReadAllOptions = {}): VendorRead<AllStreamResolvedEvent> {
    return new FakeRead<AllStreamResolvedEvent>(() => {
      if (this.unavailable) throw new UnavailableError(undefined, 'fake server unreachable');
      const backwards = options.direction === BACKWARDS;
      const from = options.fromPosition ?? (backwards ? END : START);
      const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      // Inclusive of the event at `from`, in both directions.
      const selected = backwards
        ? this.log.filter((event) => from === END || (from !== START && event.position.commit <= from.commit)).reverse()
        : this.log.filter((event) => from === START || (from !== END && event.position.commit >= from.commit));
      return selected.slice(0, maxCount).map((event) => ({ event: toVendorEvent(event), commitPosition: event.position.commit }) as AllStreamResolvedEvent);
    });
  }

  private subscribeToAll(options: SubscribeToAllOptions = {}): FakeSubscription {
    const from = options.fromPosition ?? START;
    const subscription = new FakeSubscription(options.filter, () => this.subscriptions.delete(subscription));
    setImmediate(() => {
      if (subscription.ended) return;
      if (this.unavailable) {
        subscription.fail(new UnavailableError(undefined, 'fake server unreachable'));
        return;
      }
      subscription.emit('confirmation');
      // Catch-up and going live in one turn of the event loop: no append can fall between them.
      for (const event of this.log) {
        if (from === START || (from !== END && event.position.commit > from.commit)) subscription.offer(event);
      }
      subscription.emit('caughtUp');
      this.subscriptions.add(subscription);
    });
    return subscription;
  }
}

interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  /** JSON text, or base64 of the bytes when not JSON. */
  readonly data: string;
  readonly metadata: string | undefined;
  readonly isJson: boolean;
  readonly created: Date;
  readonly position: Position;
}

function toVendorEvent(event: StoredEvent) {
  return {
    streamId: event.streamId,
    id: event.id,
    isJson: event.isJson,
    revision: event.revision,
    type: event.type,
    created: event.created,
    data: event.isJson ? JSON.parse(event.data) : Uint8Array.from(Buffer.from(event.data, 'base64')),
    metadata: event.metadata === undefined ? undefined : JSON.parse(event.metadata),
    position: event.position,
  };
}

function passesServerFilter(filter: Filter | undefined, event: StoredEvent): boolean {
  if (!filter) return true;
  const value = filter.filterOn === 'streamName' ? event.streamId : event.type;
  if ('prefixes' in filter) return filter.prefixes.some((prefix) => value.startsWith(prefix));
  return new RegExp(filter.regex).test(value);
}

/** A finite read: computed when the call is made, delivered on the next turn, as a streamed gRPC answer. */
class FakeRead<E> extends Readable implements VendorRead<E> {
  constructor(produce: () => E[]) {
    super({ objectMode: true, read() {} });
    setImmediate(() => {
      try {
        for (const item of produce()) this.push(item);
        this.push(null);
      } catch (error) {
        this.destroy(error as Error);
      }
    });
  }

  async cancel(): Promise<void> {
    this.destroy();
  }
}

class FakeSubscription extends Readable implements VendorSubscription {
  ended = false;

  constructor(
    private readonly serverFilter: Filter | undefined,
    private readonly onEnd: () => void,
  ) {
    super({ objectMode: true, read() {} });
  }

  offer(event: StoredEvent): void {
    if (this.ended || !passesServerFilter(this.serverFilter, event)) return;
    this.push({ event: toVendorEvent(event), commitPosition: event.position.commit } as AllStreamResolvedEvent);
  }

  fail(error: Error): void {
    this.ended = true;
    this.onEnd();
    this.destroy(error);
  }

  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    this.destroy();
  }
}
