/**
 * The one port every event store adapter implements (Postgres on PGlite or a server, EventStoreDB).
 * The contract suite in event-store-contract.test-support.ts runs against each adapter.
 */

/** Where an event sits in the store's global log. Ordered by (commit, prepare). */
export interface GlobalPosition {
  /** Postgres: the appending transaction's xid8. EventStoreDB: the commit position. */
  readonly commit: bigint;
  /** Postgres: the row's sequence number. EventStoreDB: the prepare position. */
  readonly prepare: bigint;
}

export const START: GlobalPosition = Object.freeze({ commit: -1n, prepare: -1n });

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function formatPosition(p: GlobalPosition): string {
  return `${p.commit}:${p.prepare}`;
}

/** Both halves are 64-bit on every store (PostgreSQL xid8 and bigint, EventStoreDB's log positions). */
const MAX_POSITION_PART = 2n ** 63n - 1n;

/** `commit:prepare` as formatPosition writes it; a half past 64 bits is refused here, not by the store's query. */
export function parsePosition(text: string): GlobalPosition {
  const match = /^(-?\d+):(-?\d+)$/.exec(text);
  if (!match) throw new Error(`not a global position: "${text}"`);
  const position = { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
  if ([position.commit, position.prepare].some((part) => part < -1n || part > MAX_POSITION_PART)) throw new Error(`not a global position: "${text}" (out of range)`);
  return position;
}

/**
 * Expected revision of a stream before an append: it must not exist, it must be at exactly this
 * revision (0 = one event), or anything goes.
 */
export type ExpectedRevision = 'no-stream' | 'any' | bigint;

/** Who did it, from where; recorded on every event (DESIGN.md "Events"). */
export interface EventMetadata {
  readonly tenantId: string;
  readonly tokenId: string | null;
  readonly requestId: string | null;
  readonly correlationId: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  /** ISO-8601 instant the command was decided. */
  readonly occurredAt: string;
  /**
   * W3C trace context (version 00) of the request that made the event, absent when it had none: a consumer of the
   * event (its Kafka record carries it too) continues that trace. Covered by the hash like every other field.
   */
  readonly traceparent?: string;
  /** The request's W3C tracestate, only beside a traceparent and only when it had one. */
  readonly tracestate?: string;
  /**
   * Hash chain (docs/audit-format.md), set by the command loop: the `hash` of the stream's previous event, null
   * for revision 0 (or after an event that predates the chain). Absent on events recorded before the chain.
   */
  readonly previousHash?: string | null;
  /** SHA-256 hex of this event's content and `previousHash` (libs/event-store/src/audit/event-hash.ts). */
  readonly hash?: string;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** Deterministic where a retry must be idempotent; a v4 UUID otherwise. */
  readonly id: string;
  readonly type: Type;
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  readonly streamName: string;
  /** 0 for the first event of a stream. */
  readonly revision: bigint;
  readonly position: GlobalPosition;
  readonly recordedAt: Date;
}

export interface StreamAppend {
  readonly streamName: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly NewEvent[];
  /**
   * Events that undo this append if a later append of the same appendToStreams call fails. Stores with
   * multi-stream transactions (Postgres) ignore it; EventStoreDB appends it to roll the stream's state back.
   */
  readonly compensation?: readonly NewEvent[];
}

/**
 * A stream an append depends on without writing to it: the whole append fails with VersionConflictError (naming
 * this stream) unless the stream is at exactly `revision` when the append commits. Nothing is written to it.
 */
export interface StreamCondition {
  readonly streamName: string;
  readonly revision: bigint;
}

export interface AppendResult {
  /** Revision of the last event appended: the stream's new revision. */
  readonly nextRevision: bigint;
  /** Global position of the last event appended. */
  readonly position: GlobalPosition;
}

export interface StreamRead {
  readonly streamName: string;
  /** Inclusive; default 0. */
  readonly fromRevision?: bigint;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. */
  readonly after: GlobalPosition;
  readonly maxCount: number;
  /** Only streams whose name starts with one of these prefixes (none = all). */
  readonly streamPrefixes?: readonly string[];
  /** Only these event types (none = all). */
  readonly eventTypes?: readonly string[];
}

export interface EventStore {
  /**
   * Appends to one stream if it is at the expected revision; throws VersionConflictError otherwise.
   * Events must be non-empty.
   */
  appendToStream(append: StreamAppend): Promise<AppendResult>;

  /**
   * All or nothing across several streams (a reservation stream and a resource stream): every
   * expected revision must hold, else VersionConflictError and nothing is visible. Stores without
   * multi-stream transactions append in order and compensate (see the EventStoreDB adapter).
   * Results are in the order of the appends.
   *
   * `conditions` name streams the append depends on without writing to them (a group's new member): each must be
   * at exactly its revision when the append commits, else VersionConflictError naming it and nothing is visible.
   * They add no results. With no appends nothing is written, so nothing is checked: the call returns [].
   * PostgreSQL checks them in the append's transaction; EventStoreDB reads them just before appending (a window
   * remains, see its adapter).
   */
  appendToStreams(appends: readonly StreamAppend[], conditions?: readonly StreamCondition[]): Promise<AppendResult[]>;

  /** The whole stream in revision order, from a revision (inclusive, default 0); [] if it does not exist. */
  readStream(streamName: string, fromRevision?: bigint): Promise<RecordedEvent[]>;

  /**
   * Several streams at once, each as readStream would read it; results in the order of `reads`. The command
   * loop reads every stream a command decides on with one call (one round trip on PostgreSQL).
   */
  readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]>;

  /**
   * The next committed events of the global log after a position, in position order. Gap-safe: an event
   * is never returned after an event with a greater position has been returned, so a reader that
   * remembers the last position it saw never misses a committed event.
   */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * Resolves when events after `after` may be readable, or after `timeoutMs`, or when `signal` aborts.
   * A hint only: readers must still call readAll.
   */
  waitForEvents(after: GlobalPosition, timeoutMs: number, signal?: AbortSignal): Promise<void>;

  /** The position of the last readable event (START when empty): for lag and readiness. */
  headPosition(): Promise<GlobalPosition>;

  /** Cheap round trip to the store, for /ready. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

/**
 * The argument checks every adapter makes of appendToStreams' conditions (a plain Error, or a RangeError for a
 * negative revision): a condition's stream is not also appended to (its own expected revision already checks it),
 * and no stream is named twice.
 */
export function validateStreamConditions(appends: readonly StreamAppend[], conditions: readonly StreamCondition[]): void {
  if (conditions.length === 0) return;
  const appended = new Set(appends.map((append) => append.streamName));
  const names = new Set<string>();
  for (const condition of conditions) {
    if (appended.has(condition.streamName)) {
      throw new Error(`stream ${condition.streamName} is both appended to and a condition of one appendToStreams call; its expected revision already checks it`);
    }
    if (names.has(condition.streamName)) {
      throw new Error(`stream ${condition.streamName} appears twice among the conditions of one appendToStreams call`);
    }
    names.add(condition.streamName);
    if (typeof condition.revision !== 'bigint' || condition.revision < 0n) {
      throw new RangeError(`condition revision of ${condition.streamName} must be a bigint >= 0, got ${String(condition.revision)}`);
    }
  }
}
