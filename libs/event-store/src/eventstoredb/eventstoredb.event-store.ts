import { BACKWARDS, END, EventStoreDBClient, FORWARDS, type AllStreamResolvedEvent, type Direction } from '@eventstore/db-client';
import { EventStoreUnavailableError, VersionConflictError } from '../event-store.errors.js';
import {
  comparePositions,
  formatPosition,
  START,
  type AppendResult,
  type EventStore,
  type GlobalPosition,
  type ReadAllOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamCondition,
  type StreamRead,
  validateStreamConditions,
} from '../event-store.port.js';
import type { EventStoreDbConnection, VendorRead, VendorSubscription } from './eventstoredb.connection.js';
import { isStreamNotFound, isTransient, isWrongExpectedVersion, PartialAppendError, toVersionConflict, translateFailure } from './eventstoredb.errors.js';
import { fromVendorEvent, toEventData } from './eventstoredb.event-codec.js';
import { isSystemEvent, matchesLogFilter, serverSideFilter, type LogFilter } from './eventstoredb.log-filter.js';
import {
  compensatingAppend,
  compensationOf,
  executionOrder,
  isUndoable,
  precheckAppend,
  type PrecheckVerdict,
} from './eventstoredb.multi-stream-append.js';
import { describeCurrentRevision, toGlobalPosition, toReadPosition, toVendorExpectedRevision } from './eventstoredb.positions.js';

export interface EventStoreDbEventStoreOptions {
  /** Longest one call to the server may take before it counts as an outage (EventStoreUnavailableError). Default 10 s. */
  readonly operationTimeoutMs?: number;
  /** Events per request when readAll and headPosition page through $all. Default 500. */
  readonly readPageSize?: number;
  /** How often an append whose outcome is unknown (connection lost, deadline, leader change) is sent again. Default 2. */
  readonly appendRetries?: number;
  /** How often a compensation is sent again before the call is reported as partly applied. Default 4. */
  readonly compensationRetries?: number;
  /** Where compensations and partial appends are reported. Default console.error. */
  readonly log?: (message: string) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Positions at which readers recently read, with the filter they read with (see waitForEvents); bounded.
const REMEMBERED_READ_POSITIONS = 256;
const HEAD_PAGE_SIZE = 32;
const RETRY_BASE_MS = 100;
// After a failed subscription, waitForEvents turns into a poll of at most this period instead of returning at once.
const FAILED_SUBSCRIPTION_POLL_MS = 1_000;

/**
 * The event store on EventStoreDB (DESIGN.md "Event store": one port, two adapters, one contract suite).
 *
 * - Streams, revisions and expected revisions are EventStoreDB's own; a global position is its (commit, prepare).
 * - appendToStreams has no transaction to lean on: it checks every expected revision first, writes undoable
 *   appends (reservations) first, and compensates them if a later append fails (eventstoredb.multi-stream-append.ts).
 *   Its conditions (streams it depends on without writing) are read in that same look before writing, so they
 *   hold just before the first write, not at "commit": see appendToStreams.
 * - readAll reads $all in pages and filters on our side: client 6.2.1's readAll sends no server-side filter. The
 *   cost is that a reader pays for transferring the events it skips (other tenants, reservation events, the
 *   server's own `$` events); each call pages on until it has maxCount matches or reaches the end of the log, so
 *   a reader never sees an empty answer while matching events lie further on.
 * - waitForEvents opens a server-side filtered $all subscription from the reader's position and returns on the
 *   first event the reader would read.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly operationTimeoutMs: number;
  private readonly readPageSize: number;
  private readonly appendRetries: number;
  private readonly compensationRetries: number;
  private readonly log: (message: string) => void;
  private readonly filtersByReadPosition = new Map<string, LogFilter>();
  private readonly pendingWaits = new Set<() => void>();
  private closed = false;

  /**
   * A store on the server at `connectionString` (esdb://host:2113?tls=false, esdb+discover://... for a cluster;
   * credentials and TLS settings go in the string). Connects on first use: a server that is down shows in ping()
   * (the gateway's /ready), not as a failed start.
   */
  static async create(connectionString: string, options: EventStoreDbEventStoreOptions = {}): Promise<EventStoreDbEventStore> {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      // The message names the problem, never the string itself: it may hold a password.
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`EVENTSTORE_URL is not a usable EventStoreDB connection string: ${reason}`, { cause: error });
    }
    return new EventStoreDbEventStore(client, options);
  }

  constructor(
    private readonly connection: EventStoreDbConnection,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.operationTimeoutMs = options.operationTimeoutMs ?? 10_000;
    this.readPageSize = Math.max(2, options.readPageSize ?? 500);
    this.appendRetries = options.appendRetries ?? 2;
    this.compensationRetries = options.compensationRetries ?? 4;
    this.log = options.log ?? ((message) => console.error(`[event-store] ${message}`));
  }

  async appendToStream(append: StreamAppend): Promise<AppendResult> {
    validateAppends([append]);
    this.assertOpen();
    return this.appendWithRetries(append, this.appendRetries);
  }

  /**
   * Conditions: EventStoreDB can make an append depend only on the revision of the stream it writes, and has no
   * lock or transaction spanning streams. So each condition stream's last revision is read just before the first
   * write (together with the expected-revision look, one round trip), and a condition that does not hold refuses
   * the call before anything is written. A window remains: an append to a condition stream that lands between that
   * read and our writes (or between our writes, when there are several) is not noticed, and both succeed. The
   * PostgreSQL adapter has no such window (its check and its writes are one transaction).
   */
  async appendToStreams(appends: readonly StreamAppend[], conditions: readonly StreamCondition[] = []): Promise<AppendResult[]> {
    validateAppends(appends);
    validateStreamConditions(appends, conditions);
    if (appends.length === 0) return [];
    this.assertOpen();
    if (appends.length === 1 && conditions.length === 0) return [await this.appendWithRetries(appends[0], this.appendRetries)];

    // Look before writing: a refused call then writes nothing at all, and a repeated call is recognised.
    const [verdicts, conditionConflict] = await Promise.all([
      Promise.all(appends.map((append) => this.precheck(append))),
      this.firstUnheldCondition(conditions),
    ]);
    for (const verdict of verdicts) if (verdict.kind === 'conflict') throw verdict.conflict;
    // A repeated call whose appends are all stored already succeeded while its conditions held: its first result
    // stands even if a condition stream has moved on since. Anything still to write needs the conditions now.
    if (conditionConflict && verdicts.some((verdict) => verdict.kind !== 'already-appended')) throw conditionConflict;

    const results: AppendResult[] = new Array<AppendResult>(appends.length);
    const written: number[] = [];
    for (const index of executionOrder(appends)) {
      const verdict = verdicts[index];
      if (verdict.kind === 'already-appended') {
        results[index] = verdict.result;
      } else {
        try {
          results[index] = await this.appendWithRetries(appends[index], this.appendRetries);
        } catch (failure) {
          throw await this.undo(appends, results, written, index, failure);
        }
      }
      written.push(index);
    }
    return results;
  }

  async readStream(streamName: string, fromRevision: bigint = 0n): Promise<RecordedEvent[]> {
    this.assertOpen();
    if (fromRevision < 0n) throw new RangeError(`readStream fromRevision must be >= 0, got ${fromRevision}`);
    return this.readStreamEvents(streamName, fromRevision, undefined);
  }

  /** EventStoreDB reads one stream per call; the reads go out together over the one gRPC connection. */
  readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]> {
    return Promise.all(reads.map((read) => this.readStream(read.streamName, read.fromRevision)));
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    if (!Number.isInteger(options.maxCount) || options.maxCount < 1) {
      throw new RangeError(`readAll maxCount must be a positive integer, got ${options.maxCount}`);
    }
    const filter: LogFilter = { streamPrefixes: options.streamPrefixes, eventTypes: options.eventTypes };
    try {
      const events = await this.scanForward(options.after, options.maxCount, filter);
      this.rememberReadFilter(options.after, filter);
      if (events.length > 0) this.rememberReadFilter(events[events.length - 1].position, filter);
      return events;
    } catch (error) {
      throw translateFailure(error, 'readAll');
    }
  }

  /**
   * Resolves on the first event after `after` that the reader would read (already there or appended later, by
   * any process), on `timeoutMs`, on abort or on close. The port passes no filter, so we use the one the reader
   * last read with at this position (readAll remembers it), as the Postgres adapter does.
   */
  async waitForEvents(after: GlobalPosition, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || timeoutMs <= 0) return;
    const filter = this.filtersByReadPosition.get(formatPosition(after)) ?? {};
    await new Promise<void>((resolve) => {
      let subscription: VendorSubscription | undefined;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        this.pendingWaits.delete(finish);
        subscription?.unsubscribe().catch(() => undefined);
        resolve();
      };
      const startedAt = Date.now();
      // A hint only: if the subscription fails, the reader's next readAll reports why; meanwhile, poll.
      const fallBackToPolling = (): void => {
        clearTimeout(timer);
        timer = setTimeout(finish, Math.min(FAILED_SUBSCRIPTION_POLL_MS, Math.max(0, timeoutMs - (Date.now() - startedAt))));
      };
      timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish, { once: true });
      this.pendingWaits.add(finish);
      try {
        subscription = this.connection.subscribeToAll({ fromPosition: toReadPosition(after), filter: serverSideFilter(filter), resolveLinkTos: false });
      } catch {
        fallBackToPolling();
        return;
      }
      subscription.on('data', (resolved: AllStreamResolvedEvent) => {
        const event = resolved.event;
        if (event && comparePositions(toGlobalPosition(event.position), after) > 0 && matchesLogFilter(event.streamId, event.type, filter)) finish();
      });
      subscription.on('error', fallBackToPolling);
      subscription.on('close', () => {
        if (!done) fallBackToPolling();
      });
    });
  }

  async headPosition(): Promise<GlobalPosition> {
    this.assertOpen();
    try {
      let cursor: GlobalPosition | null = null; // null: the end of the log
      for (;;) {
        const page = await this.collect(
          this.connection.readAll({ fromPosition: cursor ?? END, direction: BACKWARDS, maxCount: HEAD_PAGE_SIZE, resolveLinkTos: false }),
          'headPosition',
        );
        for (const { event } of page) {
          if (event && !isSystemEvent(event.streamId, event.type)) return toGlobalPosition(event.position);
        }
        // Only EventStoreDB's own events so far: page further back (a read from a position may repeat its event).
        const oldest = page[page.length - 1]?.event?.position;
        if (page.length < HEAD_PAGE_SIZE || !oldest) return START;
        const next = toGlobalPosition(oldest);
        if (cursor !== null && comparePositions(next, cursor) >= 0) return START;
        cursor = next;
      }
    } catch (error) {
      throw translateFailure(error, 'headPosition');
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await this.collect(this.connection.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, resolveLinkTos: false }), 'ping');
    } catch (error) {
      throw translateFailure(error, 'ping');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const finish of [...this.pendingWaits]) finish(); // waiters resolve now rather than at their timeouts
    await this.connection.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('the event store is closed');
  }

  /**
   * One append. An outcome that is unknown (the answer was lost) is resolved by sending the same events again:
   * EventStoreDB stores events with ids it already holds at those revisions only once, and answers as the first
   * time. With expected revision 'any' that guarantee is weaker (a recent-ids cache), so those are not resent.
   */
  private async appendWithRetries(append: StreamAppend, retries: number): Promise<AppendResult> {
    const events = append.events.map(toEventData);
    const expectedRevision = toVendorExpectedRevision(append.expectedRevision);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.connection.appendToStream(append.streamName, events, { expectedRevision, deadline: this.operationTimeoutMs });
        // The server answers with the last event's position; servers that leave it out cost one read.
        const position = result.position
          ? toGlobalPosition(result.position)
          : (await this.readStreamEvents(append.streamName, result.nextExpectedRevision, 1))[0]?.position;
        if (!position) throw new EventStoreUnavailableError(`EventStoreDB did not tell where the append to ${append.streamName} landed`);
        return { nextRevision: result.nextExpectedRevision, position };
      } catch (error) {
        if (isWrongExpectedVersion(error)) throw toVersionConflict(error, append);
        if (attempt >= retries || append.expectedRevision === 'any' || !isTransient(error) || this.closed) {
          throw translateFailure(error, `append to ${append.streamName}`);
        }
        await sleep(RETRY_BASE_MS * 3 ** attempt);
      }
    }
  }

  private async precheck(append: StreamAppend): Promise<PrecheckVerdict> {
    if (append.expectedRevision === 'any') return { kind: 'append' };
    const [last] = await this.readStreamEvents(append.streamName, END, 1, BACKWARDS);
    return precheckAppend(append, last?.revision ?? null, (fromRevision, count) => this.readStreamEvents(append.streamName, fromRevision, count));
  }

  /** The first condition whose stream is not at its revision now (a read of each stream's last event), or null. */
  private async firstUnheldCondition(conditions: readonly StreamCondition[]): Promise<VersionConflictError | null> {
    const lastRevisions = await Promise.all(
      conditions.map(async (condition) => (await this.readStreamEvents(condition.streamName, END, 1, BACKWARDS))[0]?.revision ?? null),
    );
    const index = conditions.findIndex((condition, position) => lastRevisions[position] !== condition.revision);
    if (index < 0) return null;
    const { streamName, revision } = conditions[index];
    return new VersionConflictError(streamName, revision.toString(), describeCurrentRevision(lastRevisions[index]));
  }

  /**
   * Step 3 of eventstoredb.multi-stream-append.ts after the append at `failedIndex` failed: compensate what was
   * written, newest first, and return the error to throw: the original one when everything was undone (the call
   * then had no effect, as the port promises), else a PartialAppendError naming what is left.
   */
  private async undo(appends: readonly StreamAppend[], results: readonly AppendResult[], written: readonly number[], failedIndex: number, failure: unknown): Promise<unknown> {
    if (written.length === 0) return failure;
    const name = (index: number) => appends[index].streamName;
    const failed = `${name(failedIndex)} failed (${failure instanceof Error ? failure.message : String(failure)})`;
    const notAppended = appends.map((_, index) => index).filter((index) => !written.includes(index));
    const permanent = written.filter((index) => !isUndoable(appends[index]));
    if (permanent.length > 0) {
      // Its events stand, so what was reserved for it must stand too: undo nothing.
      const partial = new PartialAppendError(written.map(name), notAppended.map(name), `${failed} after ${permanent.map(name).join(', ')} was written, which has no compensation`, { cause: failure });
      this.log(partial.message);
      return partial;
    }
    const leftAppended: number[] = [];
    for (const index of [...written].reverse()) {
      try {
        await this.appendWithRetries(compensatingAppend(appends[index], results[index]), this.compensationRetries);
        this.log(`compensated the append to ${name(index)} (${compensationOf(appends[index]).map((event) => event.type).join(', ')}) because ${failed}`);
      } catch (compensationFailure) {
        leftAppended.push(index);
        this.log(`could not compensate the append to ${name(index)}: ${compensationFailure instanceof Error ? compensationFailure.message : String(compensationFailure)}`);
      }
    }
    if (leftAppended.length === 0) return failure;
    const partial = new PartialAppendError(leftAppended.map(name), appends.map((_, index) => index).filter((index) => !leftAppended.includes(index)).map(name), `${failed} and compensating failed`, {
      cause: failure,
    });
    this.log(partial.message);
    return partial;
  }

  /** Up to `maxCount` of a stream's events from a revision on (or backwards from END); [] if the stream does not exist. */
  private async readStreamEvents(streamName: string, fromRevision: bigint | typeof END, maxCount: number | undefined, direction: Direction = FORWARDS): Promise<RecordedEvent[]> {
    try {
      const resolved = await this.collect(this.connection.readStream(streamName, { fromRevision, direction, maxCount, resolveLinkTos: false }), `readStream(${streamName})`);
      return resolved.flatMap(({ event }) => (event ? [fromVendorEvent(event)] : []));
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw translateFailure(error, `readStream(${streamName})`);
    }
  }

  /** The next `maxCount` events after `after` that pass `filter`, paging through $all until found or at its end. */
  private async scanForward(after: GlobalPosition, maxCount: number, filter: LogFilter): Promise<RecordedEvent[]> {
    const pageSize = Math.max(2, Math.min(this.readPageSize, maxCount + 1));
    const found: RecordedEvent[] = [];
    let cursor = after;
    for (;;) {
      const page = await this.collect(
        this.connection.readAll({ fromPosition: toReadPosition(cursor), direction: FORWARDS, maxCount: pageSize, resolveLinkTos: false }),
        'readAll',
      );
      const pageStart = cursor;
      for (const { event } of page) {
        if (!event) continue;
        const position = toGlobalPosition(event.position);
        // A read from a position includes the event at that position: the last one of the previous page.
        if (comparePositions(position, cursor) <= 0) continue;
        cursor = position;
        if (!matchesLogFilter(event.streamId, event.type, filter)) continue;
        found.push(fromVendorEvent(event));
        if (found.length === maxCount) return found;
      }
      if (page.length < pageSize || comparePositions(cursor, pageStart) === 0) return found;
    }
  }

  /** Every item of a finite read, or EventStoreUnavailableError when the server does not finish it in time. */
  private collect<E>(read: VendorRead<E>, operation: string): Promise<E[]> {
    return new Promise<E[]>((resolve, reject) => {
      const items: E[] = [];
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        return true;
      };
      const timer = setTimeout(() => {
        if (!settle()) return;
        read.cancel().catch(() => undefined);
        reject(new EventStoreUnavailableError(`EventStoreDB did not answer ${operation} within ${this.operationTimeoutMs} ms`));
      }, this.operationTimeoutMs);
      read.on('data', (item) => items.push(item));
      read.on('end', () => {
        if (settle()) resolve(items);
      });
      read.on('error', (error) => {
        if (settle()) reject(error);
      });
      // Closed with neither 'end' nor 'error' (a cancelled call): what arrived may be incomplete.
      read.on('close', () => {
        if (settle()) reject(new EventStoreUnavailableError(`EventStoreDB ended ${operation} before its end`));
      });
    });
  }

  private rememberReadFilter(position: GlobalPosition, filter: LogFilter): void {
    const key = formatPosition(position);
    this.filtersByReadPosition.delete(key); // re-insert so the most recent reads are the last to be evicted
    this.filtersByReadPosition.set(key, filter);
    if (this.filtersByReadPosition.size > REMEMBERED_READ_POSITIONS) {
      const oldest = this.filtersByReadPosition.keys().next().value as string;
      this.filtersByReadPosition.delete(oldest);
    }
  }
}

function validateAppends(appends: readonly StreamAppend[]): void {
  const names = new Set<string>();
  for (const append of appends) {
    if (names.has(append.streamName)) {
      throw new Error(`stream ${append.streamName} appears twice in one appendToStreams call; append to each stream once`);
    }
    names.add(append.streamName);
    if (append.events.length === 0) throw new Error(`append to ${append.streamName} has no events`);
    if (typeof append.expectedRevision === 'bigint' && append.expectedRevision < 0n) {
      throw new RangeError(`expected revision of ${append.streamName} must be >= 0, 'no-stream' or 'any'`);
    }
    for (const event of [...append.events, ...compensationOf(append)]) {
      if (!UUID.test(event.id)) throw new Error(`event id "${event.id}" appended to ${append.streamName} is not a UUID`);
      if (event.data === undefined) throw new Error(`event ${event.id} appended to ${append.streamName} has no data`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
