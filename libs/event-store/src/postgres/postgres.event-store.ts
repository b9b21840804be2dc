import { EventEmitter } from 'node:events';
import pg from 'pg';
import { DuplicateEventIdError, EventStoreUnavailableError, VersionConflictError } from '../event-store.errors.js';
import {
  formatPosition,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type ReadAllOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamCondition,
  type StreamRead,
  validateStreamConditions,
} from '../event-store.port.js';
import { isTransientConflict, isUniqueViolation, translateFailure } from './postgres.errors.js';
import { APPENDED_CHANNEL, PostgresNotificationListener } from './postgres.notification-listener.js';
import { preparedStatementName } from '#postgres/prepared-statements.js';
import { queryKeepingConnection } from '#postgres/pooled-query.js';
import { APPEND_CONFLICT_SQLSTATE, EVENT_ID_CONSTRAINT, EVENT_STORE_SCHEMA, EVENTS_TABLE, migrateEventStore, STREAMS_TABLE } from './postgres.schema.js';

/**
 * How waitForEvents learns about appends: 'listen' = LISTEN/NOTIFY on a dedicated connection, for a PostgreSQL
 * server shared by several processes; 'in-process' = only this process's own appends, for PGlite, where a
 * NOTIFY never reaches another connection. Appends made by this process wake its readers at once in both modes.
 */
export type NotificationMode = 'listen' | 'in-process';

export interface PostgresEventStoreOptions {
  /** Default: 'in-process' on PGlite, 'listen' on a server (asked of the database once). */
  readonly notifications?: NotificationMode;
  /** Failures nobody awaits (the LISTEN connection, idle pool clients). Default: console.error. */
  readonly onBackgroundError?: (error: unknown) => void;
  /** End the pool in close(): for a pool this store created itself. */
  readonly endPoolOnClose?: boolean;
  /**
   * Where this process announces its own commits; by default one emitter shared by every store in the process,
   * so an append through one store instance wakes readers of another at once. Tests pass their own to prove
   * that LISTEN/NOTIFY alone wakes a reader.
   */
  readonly localSignal?: EventEmitter;
  /**
   * While committed events are held back behind a still-running transaction (which might roll back, and a
   * rollback is announced to nobody), waitForEvents looks again after this long. Default 20 ms.
   */
  readonly heldBackPollMs?: number;
}

type Backend = 'pglite' | 'postgres';
type LogFilter = Pick<ReadAllOptions, 'streamPrefixes' | 'eventTypes'>;

const APPENDED = 'appended';
const processSignal = new EventEmitter().setMaxListeners(0);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Positions at which readers recently read, with the filter they read with (see waitForEvents); bounded.
const REMEMBERED_READ_POSITIONS = 256;

const EVENT_COLUMNS = `
  transaction_id::text AS commit, seq::text AS prepare, stream_name, stream_revision::text AS revision,
  event_id::text AS id, event_type, schema_version, data, metadata, recorded_at`;

interface EventRow {
  commit: string;
  prepare: string;
  stream_name: string;
  revision: string;
  id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: RecordedEvent['metadata'];
  recorded_at: Date;
}

interface AppendRow {
  commit: string;
  prepare: string;
  revision: string;
}

/**
 * The event store on PostgreSQL: a PGlite served over a local socket (embedded mode) or a server.
 *
 * Global positions are (transaction xid8, row sequence). readAll only returns rows of transactions older than
 * every transaction still running (pg_snapshot_xmin), so no row can later appear before a position a reader has
 * passed: a reader that remembers its last position never misses a committed event.
 */
export class PostgresEventStore implements EventStore {
  private readonly wakeUps = new EventEmitter().setMaxListeners(0);
  private readonly localSignal: EventEmitter;
  private readonly onBackgroundError: (error: unknown) => void;
  private readonly heldBackPollMs: number;
  private readonly listener: PostgresNotificationListener;
  /** Per position a reader's readAll ended at: its filter, and the wake-up count when that read began. */
  private readonly readsByPosition = new Map<string, { readonly filter: LogFilter; readonly wakeUpsBefore: number }>();
  /** Wake-ups seen so far (this process's appends, and NOTIFY on a server). */
  private wakeUpCount = 0;
  private backendDetection: Promise<Backend> | null = null;
  private closed = false;

  /** A pool of its own (ended by close()) and the schema migrated. */
  static async create(
    connectionString: string,
    options: { readonly poolSize: number } & PostgresEventStoreOptions,
  ): Promise<PostgresEventStore> {
    const { poolSize, ...storeOptions } = options;
    const pool = new pg.Pool({ connectionString, max: poolSize });
    const store = new PostgresEventStore(pool, { ...storeOptions, endPoolOnClose: true });
    try {
      await migrateEventStore(pool);
    } catch (error) {
      await store.close();
      throw translateFailure(error, 'migration');
    }
    return store;
  }

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.localSignal = options.localSignal ?? processSignal;
    this.onBackgroundError = options.onBackgroundError ?? ((error) => console.error('[event-store]', error));
    this.heldBackPollMs = options.heldBackPollMs ?? 20;
    this.localSignal.on(APPENDED, this.wake);
    this.listener = new PostgresNotificationListener(pool.options, this.wake, this.onBackgroundError);
    // An idle pooled connection that dies emits 'error' on the pool; unheard, that would end the process.
    if (pool.listenerCount('error') === 0) pool.on('error', this.onBackgroundError);
  }

  async appendToStream(append: StreamAppend): Promise<AppendResult> {
    const [result] = await this.appendToStreams([append]);
    return result;
  }

  async appendToStreams(appends: readonly StreamAppend[], conditions: readonly StreamCondition[] = []): Promise<AppendResult[]> {
    validateAppends(appends);
    validateStreamConditions(appends, conditions);
    if (appends.length === 0) return [];
    this.assertOpen();
    try {
      const notify = (await this.notificationMode()) === 'listen';
      // One statement is its own transaction: an append to any number of streams is one round trip, all or
      // nothing. (On PGlite this relies on pglite.wire-server.ts keeping other connections out between a
      // statement's Parse and Sync; pglite-socket's server does not when a message spans two TCP reads.)
      return await this.appendInOneStatement(appends, conditions, notify);
    } catch (error) {
      // Also when a condition failed: an append whose events are all stored committed while its conditions held.
      if (error instanceof VersionConflictError || isUniqueViolation(error, EVENT_ID_CONSTRAINT)) {
        const replayed = await this.findCompletedAppend(appends);
        if (replayed) return replayed;
      }
      throw translateAppendFailure(error, appends);
    } finally {
      // Committed or rolled back, readers may now see more: a rollback can release events held back behind it.
      this.localSignal.emit(APPENDED);
    }
  }

  async readStream(streamName: string, fromRevision: bigint = 0n): Promise<RecordedEvent[]> {
    this.assertOpen();
    try {
      const { rows } = await queryKeepingConnection<EventRow>(
        this.pool,
        `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_TABLE}
         WHERE stream_name = $1 AND stream_revision >= $2::bigint
         ORDER BY stream_revision`,
        [streamName, fromRevision.toString()],
      );
      return rows.map(toRecordedEvent);
    } catch (error) {
      throw translateFailure(error, `readStream(${streamName})`);
    }
  }

  async readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]> {
    if (reads.length === 0) return [];
    if (reads.length === 1) return [await this.readStream(reads[0].streamName, reads[0].fromRevision)];
    this.assertOpen();
    const names = reads.map((read) => read.streamName);
    const fromRevisions = reads.map((read) => (read.fromRevision ?? 0n).toString());
    try {
      // One round trip: each stream's rows from its own first revision, tagged with the read they answer.
      const { rows } = await this.hotQuery<EventRow & { read_index: string }>(
        `SELECT r.read_index::text AS read_index, ${EVENT_COLUMNS}
         FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r(wanted_stream, from_revision, read_index)
         JOIN ${EVENTS_TABLE} e ON e.stream_name = r.wanted_stream AND e.stream_revision >= r.from_revision
         ORDER BY r.read_index, e.stream_revision`,
        [names, fromRevisions],
      );
      const results: RecordedEvent[][] = reads.map(() => []);
      for (const row of rows) results[Number(row.read_index) - 1].push(toRecordedEvent(row));
      return results;
    } catch (error) {
      throw translateFailure(error, `readStreams(${names.join(', ')})`);
    }
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    if (!Number.isInteger(options.maxCount) || options.maxCount < 1) {
      throw new RangeError(`readAll maxCount must be a positive integer, got ${options.maxCount}`);
    }
    const filter: LogFilter = { streamPrefixes: options.streamPrefixes, eventTypes: options.eventTypes };
    const wakeUpsBefore = this.wakeUpCount;
    const parameters: unknown[] = [];
    const conditions = ['transaction_id < pg_snapshot_xmin(pg_current_snapshot())', ...positionAndFilterConditions(options.after, filter, parameters)];
    parameters.push(options.maxCount);
    try {
      const { rows } = await this.hotQuery<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_TABLE}
         WHERE ${conditions.join(' AND ')}
         ORDER BY transaction_id, seq
         LIMIT $${parameters.length}`,
        parameters,
      );
      const events = rows.map(toRecordedEvent);
      this.rememberRead(options.after, filter, wakeUpsBefore);
      if (events.length > 0) this.rememberRead(events[events.length - 1].position, filter, wakeUpsBefore);
      return events;
    } catch (error) {
      throw translateFailure(error, 'readAll');
    }
  }

  /**
   * Resolves at once when an event this reader would read is readable after `after`; otherwise on the next
   * append (this process's at once, others' by NOTIFY on a server), on `timeoutMs`, on abort or on close.
   *
   * The port passes no filter, so we use the one the reader last read with at this position (readAll remembers
   * it): without it, a reader whose filter skips the newest events would be told "there is more" for ever.
   *
   * When something was appended since that read began, it resolves at once without asking the database: under
   * load the reader's next read finds the new events, and asking first would cost a round trip per batch.
   */
  async waitForEvents(after: GlobalPosition, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || timeoutMs <= 0) return;
    const read = this.readsByPosition.get(formatPosition(after));
    if (read && read.wakeUpsBefore !== this.wakeUpCount) return;
    if ((await this.notificationMode()) === 'listen') await this.listener.ensureListening();
    // Subscribe before looking, so an append committed between the look and the wait still wakes us.
    const wait = this.nextWakeUp(timeoutMs, signal);
    try {
      const filter = read?.filter ?? {};
      const { readable, held_back: heldBack } = await this.logStateAfter(after, filter);
      if (readable) return;
      if (heldBack) wait.shortenTo(this.heldBackPollMs);
      await wait.promise;
    } finally {
      wait.cancel();
    }
  }

  async headPosition(): Promise<GlobalPosition> {
    this.assertOpen();
    try {
      const { rows } = await queryKeepingConnection<{ commit: string; prepare: string }>(
        this.pool,
        `SELECT transaction_id::text AS commit, seq::text AS prepare FROM ${EVENTS_TABLE}
         WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY transaction_id DESC, seq DESC
         LIMIT 1`,
      );
      return rows.length === 0 ? { commit: -1n, prepare: -1n } : { commit: BigInt(rows[0].commit), prepare: BigInt(rows[0].prepare) };
    } catch (error) {
      throw translateFailure(error, 'headPosition');
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await queryKeepingConnection(this.pool, 'SELECT 1');
    } catch (error) {
      throw translateFailure(error, 'ping');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.localSignal.off(APPENDED, this.wake);
    this.wake(); // waiters resolve now rather than at their timeouts
    await this.listener.close();
    if (this.options.endPoolOnClose) await this.pool.end();
  }

  /**
   * A query of the write and read paths, as a named prepared statement (the name derives from the text): each
   * connection parses and plans it once instead of on every call, and the append is a long statement (on PGlite a
   * prepared append took 1.1 ms against 1.9-2.4 ms unnamed). On PGlite, whose one session every connection shares,
   * the wire server lets connections share the prepared statement (pglite.wire-server.ts). A conflict it raises
   * keeps the connection (queryKeepingConnection).
   */
  private hotQuery<Row extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    return queryKeepingConnection<Row>(this.pool, { name: preparedStatementName(text), text, values });
  }

  private readonly wake = (): void => {
    this.wakeUpCount++;
    this.wakeUps.emit(APPENDED);
  };

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('the event store is closed');
  }

  private backend(): Promise<Backend> {
    this.backendDetection ??= queryKeepingConnection<{ version: string }>(this.pool, 'SELECT version() AS version').then(
      ({ rows }) => (/PGlite/i.test(rows[0].version) ? 'pglite' : 'postgres'),
      (error: unknown) => {
        this.backendDetection = null; // ask again next time rather than remember an outage
        throw translateFailure(error, 'connecting');
      },
    );
    return this.backendDetection;
  }

  private async notificationMode(): Promise<NotificationMode> {
    if (this.options.notifications) return this.options.notifications;
    return (await this.backend()) === 'pglite' ? 'in-process' : 'listen';
  }

  private async appendInOneStatement(appends: readonly StreamAppend[], conditions: readonly StreamCondition[], notify: boolean): Promise<AppendResult[]> {
    const input = JSON.stringify(
      appends.map((append) => ({
        name: append.streamName,
        kind: typeof append.expectedRevision === 'bigint' ? 'exact' : append.expectedRevision,
        expected: typeof append.expectedRevision === 'bigint' ? append.expectedRevision.toString() : null,
        count: append.events.length,
        events: append.events.map((event) => ({
          id: event.id.toLowerCase(),
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: event.metadata,
        })),
      })),
    );
    let rows: AppendRow[];
    try {
      if (conditions.length === 0) {
        ({ rows } = await this.hotQuery<AppendRow>(notify ? APPEND_AND_NOTIFY_STATEMENT : APPEND_STATEMENT, [input]));
      } else {
        ({ rows } = await this.hotQuery<AppendRow>(notify ? CONDITIONAL_APPEND_AND_NOTIFY_STATEMENT : CONDITIONAL_APPEND_STATEMENT, [
          input,
          conditions.map((condition) => condition.streamName),
          conditions.map((condition) => condition.revision.toString()),
        ]));
      }
    } catch (error) {
      const conflict = appendConflictOf(error, appends, conditions);
      throw conflict ?? error;
    }
    return rows.map((row) => ({ nextRevision: BigInt(row.revision), position: { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } }));
  }

  /**
   * An append retried after it had in fact succeeded (its answer was lost) finds every one of its event ids
   * already stored, in the same streams, at the revisions it expected: that is the first result, not an error.
   */
  private async findCompletedAppend(appends: readonly StreamAppend[]): Promise<AppendResult[] | null> {
    const ids = appends.flatMap((append) => append.events.map((event) => event.id.toLowerCase()));
    let rows: { id: string; stream_name: string; revision: string; commit: string; prepare: string }[];
    try {
      ({ rows } = await queryKeepingConnection<(typeof rows)[number]>(
        this.pool,
        `SELECT event_id::text AS id, stream_name, stream_revision::text AS revision, transaction_id::text AS commit, seq::text AS prepare
         FROM ${EVENTS_TABLE} WHERE event_id = ANY($1::uuid[])`,
        [ids],
      ));
    } catch (error) {
      throw translateFailure(error, 'checking for a completed append');
    }
    if (rows.length !== ids.length) return null;
    const stored = new Map(rows.map((row) => [row.id, row]));
    const results: AppendResult[] = [];
    for (const append of appends) {
      const mine = append.events.map((event) => stored.get(event.id.toLowerCase())!);
      const first = BigInt(mine[0].revision);
      const expectedFirst =
        append.expectedRevision === 'no-stream' ? 0n : append.expectedRevision === 'any' ? first : append.expectedRevision + 1n;
      const inPlace = mine.every((row, index) => row.stream_name === append.streamName && BigInt(row.revision) === expectedFirst + BigInt(index));
      if (!inPlace) return null;
      const last = mine[mine.length - 1];
      results.push({ nextRevision: BigInt(last.revision), position: { commit: BigInt(last.commit), prepare: BigInt(last.prepare) } });
    }
    return results;
  }

  private async logStateAfter(after: GlobalPosition, filter: LogFilter): Promise<{ readable: boolean; held_back: boolean }> {
    const parameters: unknown[] = [];
    const readableConditions = positionAndFilterConditions(after, filter, parameters);
    const heldBackConditions = positionAndFilterConditions(after, {}, parameters);
    try {
      // The horizon is written inline, as in readAll, not joined from a CTE: as a stable expression the planner
      // uses the (transaction_id, seq) index for it even without statistics; joined, it scanned the whole table
      // (300 ms at 300,000 events, measured by bench/), stalling PGlite's single session every second.
      const { rows } = await this.hotQuery<{ readable: boolean; held_back: boolean }>(
        `SELECT
           EXISTS (SELECT 1 FROM ${EVENTS_TABLE}
                   WHERE ${['transaction_id < pg_snapshot_xmin(pg_current_snapshot())', ...readableConditions].join(' AND ')}) AS readable,
           EXISTS (SELECT 1 FROM ${EVENTS_TABLE}
                   WHERE ${['transaction_id >= pg_snapshot_xmin(pg_current_snapshot())', ...heldBackConditions].join(' AND ')}) AS held_back`,
        parameters,
      );
      return rows[0];
    } catch (error) {
      throw translateFailure(error, 'waitForEvents');
    }
  }

  private rememberRead(position: GlobalPosition, filter: LogFilter, wakeUpsBefore: number): void {
    const key = formatPosition(position);
    this.readsByPosition.delete(key); // re-insert so the most recent reads are the last to be evicted
    this.readsByPosition.set(key, { filter, wakeUpsBefore });
    if (this.readsByPosition.size > REMEMBERED_READ_POSITIONS) {
      const oldest = this.readsByPosition.keys().next().value as string;
      this.readsByPosition.delete(oldest);
    }
  }

  private nextWakeUp(timeoutMs: number, signal?: AbortSignal): { promise: Promise<void>; shortenTo(ms: number): void; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let finish: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const cancel = () => {
      clearTimeout(timer);
      this.wakeUps.off(APPENDED, finish);
      signal?.removeEventListener('abort', finish);
      finish();
    };
    this.wakeUps.once(APPENDED, finish);
    signal?.addEventListener('abort', finish, { once: true });
    timer = setTimeout(finish, timeoutMs);
    return {
      promise,
      shortenTo: (ms) => {
        if (ms >= timeoutMs) return;
        clearTimeout(timer);
        timer = setTimeout(finish, ms);
      },
      cancel,
    };
  }
}

/**
 * The append, one statement for any number of streams (so one transaction and one round trip): bump each stream's
 * row if it is at the expected revision, insert the events numbered from there in the order of the appends (so
 * positions follow that order), and return one row per append. A stream that was not at its expected revision
 * makes event_store.require_appended raise, which rolls the whole statement back: all or nothing.
 *
 * $1 is a JSON array of {name, kind: 'no-stream' | 'any' | 'exact', expected, count, events}.
 *
 * With `conditional`, $2 and $3 are the conditions' stream names and revisions (StreamCondition), checked before
 * anything is written: each condition stream's row is locked FOR SHARE, so no append to it can commit before this
 * statement does. Under READ COMMITTED a writer that holds the row makes us wait, and what we lock and compare is
 * then its new row: a concurrent append to a condition stream either commits first (and the condition fails) or
 * waits for us. Appends that depend on the same stream do not wait for each other (shared locks).
 * A condition that does not hold raises from require_appended like an append's conflict (HINT: the actual
 * revision). The input CTE reads no row until every condition has been checked, and every write reads the input.
 * Without conditions the statement is exactly the unconditional one.
 */
function appendStatement(notify: boolean, conditional = false): string {
  const notification = notify
    ? `, notified AS (SELECT pg_notify('${APPENDED_CHANNEL}', '') FROM (SELECT 1 FROM appended LIMIT 1) AS appended_any)`
    : '';
  // require_appended's first argument is "the condition holds" here; HINT is then the stream's actual revision.
  const conditionCheck = conditional
    ? `condition_held AS (
      SELECT ${EVENT_STORE_SCHEMA}.require_appended(s.revision IS NOT DISTINCT FROM c.expected, c.name, s.revision) AS held
      FROM unnest($2::text[], $3::bigint[]) AS c(name, expected)
      LEFT JOIN LATERAL (SELECT revision FROM ${STREAMS_TABLE} WHERE stream_name = c.name FOR SHARE) AS s ON true
    ),
    `
    : '';
  const afterConditions = conditional
    ? `
      WHERE NOT EXISTS (SELECT 1 FROM condition_held WHERE NOT held)`
    : '';
  return `
    WITH ${conditionCheck}input AS (
      SELECT a->>'name' AS name, a->>'kind' AS kind, (a->>'expected')::bigint AS expected, (a->>'count')::bigint AS n,
             a->'events' AS events, i AS append_index
      FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(a, i)${afterConditions}
    ),
    created AS (
      INSERT INTO ${STREAMS_TABLE} (stream_name, revision)
      SELECT name, n - 1 FROM input WHERE kind = 'no-stream' ORDER BY append_index
      ON CONFLICT (stream_name) DO NOTHING
      RETURNING stream_name, revision
    ),
    upserted AS (
      INSERT INTO ${STREAMS_TABLE} AS s (stream_name, revision)
      SELECT name, n - 1 FROM input WHERE kind = 'any' ORDER BY append_index
      ON CONFLICT (stream_name) DO UPDATE SET revision = s.revision + EXCLUDED.revision + 1
      RETURNING stream_name, revision
    ),
    -- Under READ COMMITTED a concurrent writer makes us wait, then the WHERE is checked again on its new row.
    updated AS (
      UPDATE ${STREAMS_TABLE} AS s SET revision = s.revision + input.n
      FROM input
      WHERE input.kind = 'exact' AND s.stream_name = input.name AND s.revision = input.expected
      RETURNING s.stream_name, s.revision
    ),
    bumped AS (SELECT * FROM created UNION ALL SELECT * FROM upserted UNION ALL SELECT * FROM updated),
    appended AS (
      INSERT INTO ${EVENTS_TABLE} (stream_name, stream_revision, event_id, event_type, schema_version, data, metadata)
      SELECT input.name, bumped.revision - input.n + e.ordinal, (e.event->>'id')::uuid, e.event->>'type',
             (e.event->>'schemaVersion')::integer, e.event->'data', e.event->'metadata'
      FROM input
      JOIN bumped ON bumped.stream_name = input.name
      CROSS JOIN jsonb_array_elements(input.events) WITH ORDINALITY AS e(event, ordinal)
      ORDER BY input.append_index, e.ordinal
      RETURNING seq, transaction_id, stream_name, stream_revision
    )${notification},
    per_stream AS (
      SELECT stream_name, min(transaction_id::text) AS commit, max(seq)::text AS prepare, max(stream_revision)::text AS revision
      FROM appended GROUP BY stream_name
    )
    SELECT per_stream.commit, per_stream.prepare, per_stream.revision,
           ${EVENT_STORE_SCHEMA}.require_appended(
             per_stream.stream_name IS NOT NULL, input.name,
             (SELECT revision FROM ${STREAMS_TABLE} WHERE stream_name = input.name)
           ) AS appended
           ${notify ? ', (SELECT count(*) FROM notified) AS notified' : ''}
    FROM input LEFT JOIN per_stream ON per_stream.stream_name = input.name
    ORDER BY input.append_index`;
}

const APPEND_STATEMENT = appendStatement(false);
const APPEND_AND_NOTIFY_STATEMENT = appendStatement(true);
const CONDITIONAL_APPEND_STATEMENT = appendStatement(false, true);
const CONDITIONAL_APPEND_AND_NOTIFY_STATEMENT = appendStatement(true, true);

/** require_appended's refusal (see postgres.schema.ts) as our VersionConflictError; null for any other failure. */
function appendConflictOf(error: unknown, appends: readonly StreamAppend[], conditions: readonly StreamCondition[]): VersionConflictError | null {
  const fields = error as { code?: unknown; detail?: unknown; hint?: unknown } | null;
  if (fields?.code !== APPEND_CONFLICT_SQLSTATE) return null;
  const streamName = String(fields.detail);
  const actual = fields.hint === undefined || fields.hint === null ? 'no-stream' : String(fields.hint);
  const condition = conditions.find((candidate) => candidate.streamName === streamName);
  if (condition) return new VersionConflictError(streamName, condition.revision.toString(), actual);
  const append = appends.find((candidate) => candidate.streamName === streamName) ?? appends[0];
  return new VersionConflictError(
    streamName,
    describeExpected(append.expectedRevision),
    actual === 'no-stream' && append.expectedRevision === 'no-stream' ? 'unknown (created concurrently)' : actual,
  );
}

function positionAndFilterConditions(after: GlobalPosition, filter: LogFilter, parameters: unknown[]): string[] {
  const conditions: string[] = [];
  if (after.commit >= 0n) {
    parameters.push(after.commit.toString(), after.prepare.toString());
    conditions.push(`(transaction_id, seq) > ($${parameters.length - 1}::xid8, $${parameters.length}::bigint)`);
  }
  if (filter.eventTypes && filter.eventTypes.length > 0) {
    parameters.push(filter.eventTypes);
    conditions.push(`event_type = ANY($${parameters.length}::text[])`);
  }
  if (filter.streamPrefixes && filter.streamPrefixes.length > 0) {
    parameters.push(filter.streamPrefixes);
    conditions.push(`EXISTS (SELECT 1 FROM unnest($${parameters.length}::text[]) AS prefix WHERE starts_with(stream_name, prefix))`);
  }
  return conditions;
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
    for (const event of append.events) {
      if (!UUID.test(event.id)) throw new Error(`event id "${event.id}" appended to ${append.streamName} is not a UUID`);
      if (event.data === undefined) throw new Error(`event ${event.id} appended to ${append.streamName} has no data`);
    }
  }
}

function translateAppendFailure(error: unknown, appends: readonly StreamAppend[]): unknown {
  if (error instanceof VersionConflictError) return error;
  if (isUniqueViolation(error, EVENT_ID_CONSTRAINT)) {
    const duplicate = /\(event_id\)=\(([^)]+)\)/.exec(String((error as { detail?: unknown }).detail ?? ''))?.[1];
    const owner = appends.find((append) => append.events.some((event) => event.id.toLowerCase() === duplicate)) ?? appends[0];
    return new DuplicateEventIdError(owner.streamName, duplicate ? [duplicate] : owner.events.map((event) => event.id), { cause: error });
  }
  if (isUniqueViolation(error) || isTransientConflict(error)) {
    // The stream row normally serialises writers before any of these can happen; if one does, it is still
    // "someone else wrote first", and the caller's retry from a fresh read is the right answer.
    const first = appends[0];
    const conflict = new VersionConflictError(first.streamName, describeExpected(first.expectedRevision), 'unknown (concurrent transaction)');
    (conflict as { cause?: unknown }).cause = error;
    return conflict;
  }
  return translateFailure(error, `append to ${appends.map((append) => append.streamName).join(', ')}`);
}

function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    streamName: row.stream_name,
    revision: BigInt(row.revision),
    position: { commit: BigInt(row.commit), prepare: BigInt(row.prepare) },
    recordedAt: row.recorded_at,
  };
}
