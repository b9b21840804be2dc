import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import { inSpan } from '#observability/tracing.js';
import { foldEvents, type Decider, type DomainEvent } from '#domain/decider.js';
import { foreignEvent } from '#domain/stored-event.js';
import { ScimError } from '#scim/scim-error.js';
import { NO_COMMAND_METRICS, type CommandMetrics } from '#observability/metrics.recorders.js';
import { chainedMetadata } from './audit/event-hash.js';
import { compensationEventId, deterministicEventId } from './deterministic-event-id.js';
import { VersionConflictError } from './event-store.errors.js';
import type { StreamStateCache } from './stream-state.cache.js';
import type { StreamTurns } from './stream-turns.js';
import {
  comparePositions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type GlobalPosition,
  type NewEvent,
  type StreamAppend,
  type StreamCondition,
} from './event-store.port.js';

/** Every event we write is schema version 1 until an upcaster says otherwise. */
export const CURRENT_SCHEMA_VERSION = 1;

// The decider's type parameters differ per stream; a decision hides them behind this loosened shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDecider = Decider<any, DomainEvent, any>;

export interface LoadedStream<State> {
  readonly state: State;
  /** null when the stream does not exist yet. */
  readonly revision: bigint | null;
  /**
   * metadata.hash of the stream's last event, which its next event chains to (docs/audit-format.md); null when
   * the stream does not exist yet or its last event predates the hash chain.
   */
  readonly lastHash: string | null;
}

/** One command for one stream; build it with `decision()` so the command type matches the decider. */
export interface StreamDecision {
  readonly streamName: string;
  readonly decider: AnyDecider;
  readonly command: unknown;
  /** The revision the client claimed with If-Match; a mismatch is 412, not a retry. */
  readonly requiredRevision?: bigint;
  /** Events that undo the decided ones, for stores that cannot append to several streams atomically. */
  readonly compensate?: (events: readonly DomainEvent[]) => readonly DomainEvent[];
}

export interface DecisionOptions<Event extends DomainEvent> {
  readonly requiredRevision?: bigint;
  readonly compensate?: (events: readonly Event[]) => readonly Event[];
}

export function decision<Command, Event extends DomainEvent, State>(
  streamName: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: DecisionOptions<Event> = {},
): StreamDecision {
  return {
    streamName,
    decider: decider as unknown as AnyDecider,
    command,
    requiredRevision: options.requiredRevision,
    compensate: options.compensate as StreamDecision['compensate'],
  };
}

export interface StreamLoader {
  load<State>(streamName: string, decider: Decider<never, never, State> | Decider<any, any, State>): Promise<LoadedStream<State>>;
  /**
   * Loads several streams together (one round trip) that the command's decisions depend on without writing to
   * them, e.g. the users a group PATCH adds as members. The append then also requires each of them that exists
   * to be still at the revision loaded (EventStore StreamCondition), so a concurrent change to one of them (a
   * user's deletion) and this command cannot both commit: the loser decides again on fresh reads.
   */
  dependOn<State>(streamNames: readonly string[], decider: Decider<never, never, State> | Decider<any, any, State>): Promise<LoadedStream<State>[]>;
}

export interface DecidedStream {
  readonly streamName: string;
  readonly events: readonly DomainEvent[];
  readonly state: unknown;
  /** The stream's revision after the command (null: still does not exist). */
  readonly revision: bigint | null;
  /** metadata.hash of the stream's last event after the command (null: no stream, or not chained). */
  readonly lastHash: string | null;
  /** Position of this stream's last appended event; null when nothing was appended to it. */
  readonly position: GlobalPosition | null;
  readonly eventIds: readonly string[];
}

export interface CommandOutcome {
  readonly streams: ReadonlyMap<string, DecidedStream>;
  /** Greatest position appended, null when the command recorded nothing. */
  readonly position: GlobalPosition | null;
}

export interface CommandLoopOptions {
  /** Attempts before a command gives up with ContentionError (default 16). */
  readonly maxAttempts?: number;
  /** Folded states to start from; without it every command folds its streams from the first event. */
  readonly cache?: StreamStateCache;
  /** This process's turns on streams: a command that lost a race waits its turn instead of racing again. */
  readonly turns?: StreamTurns;
  /** Attempts, conflicts and retries (scim_command_* in docs/observability.md); default: none recorded. */
  readonly metrics?: CommandMetrics;
}

/** Retries ran out under contention: honest 503 so the client retries, never a fake 4xx. */
export class ContentionError extends ScimError {
  constructor(streamName: string) {
    super(503, undefined, `too many concurrent changes to ${streamName}; retry the request`);
  }
}

/**
 * The write path (DESIGN.md "The one path data takes"): read and fold each stream the command touches, decide,
 * append every stream's new events with its expected revision in one atomic call, and on a version conflict
 * start again from fresh reads. `plan` may load streams to choose what to decide (e.g. the user's current
 * userName, to release its key) and returns one decision per stream.
 *
 * With a cache the first attempt reads nothing (docs/decisions.md "Decide on the cached state first"): it decides
 * on each stream's cached state, and on "the stream does not exist yet" for a stream the cache does not hold (a
 * new resource, a key nobody reserved). Every such guess is checked by the store, because the attempt counts only
 * if it appends to every stream it guessed, at the guessed revision: a stale or wrong guess is a version conflict
 * and nothing is written. Anything else (an error, a stream left unchanged or only read) proves nothing about the
 * guess, so the command starts again from fresh reads, as it does after the conflict, at once and without back-off.
 */
export function runCommand(
  store: EventStore,
  metadata: EventMetadata,
  plan: (loader: StreamLoader) => Promise<readonly StreamDecision[]>,
  options: CommandLoopOptions = {},
): Promise<CommandOutcome> {
  // The `command` span (docs/observability.md "Tracing"): attempts, conflicts and what was appended.
  return inSpan('command', null, (span) => runCommandLoop(store, metadata, plan, options, span));
}

async function runCommandLoop(
  store: EventStore,
  metadata: EventMetadata,
  plan: (loader: StreamLoader) => Promise<readonly StreamDecision[]>,
  options: CommandLoopOptions,
  span: Span | null,
): Promise<CommandOutcome> {
  const maxAttempts = options.maxAttempts ?? 16;
  // Event ids derive from this execution, the attempt, the stream and the index: a store that retries an append
  // whose answer was lost stores it once (EventStoreDB), and no two events ever share an id.
  const commandId = randomUUID();
  const { cache, turns } = options;
  const metrics = options.metrics ?? NO_COMMAND_METRICS;
  let lastConflict: VersionConflictError | undefined;
  // The turn on the first stream this command lost a race for; at most one, so two commands never wait for each other.
  let releaseTurn: (() => void) | null = null;
  try {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const guess = cache !== undefined && attempt === 1;
      span?.setAttribute('scim.command.attempts', attempt);
      let outcome: Awaited<ReturnType<typeof attemptCommand>>;
      try {
        outcome = await attemptCommand(store, metadata, plan, { commandId, attempt, cache, guess, span });
      } catch (error) {
        metrics.attempt('failed');
        throw error;
      }
      if (outcome === null) {
        // a guess it cannot verify, or an error the guess may have caused: read
        metrics.attempt('unverified');
        if (attempt < maxAttempts) metrics.retry('unverified');
        span?.addEvent('guess_unverified', { 'scim.command.attempt': attempt });
        continue;
      }
      if (!(outcome instanceof VersionConflictError)) {
        metrics.attempt('committed');
        if (span) describeOutcome(span, outcome);
        return outcome;
      }
      metrics.attempt('conflict');
      if (attempt < maxAttempts) metrics.retry('conflict');
      lastConflict = outcome;
      span?.addEvent('version_conflict', {
        'scim.command.attempt': attempt,
        'scim.stream.name': outcome.streamName,
        'scim.stream.expected_revision': outcome.expected,
        'scim.stream.actual_revision': outcome.actual,
        'scim.command.guessed': guess,
      });
      if (turns && !releaseTurn) {
        // Lost a race in this process (or to another one): wait for the others that lost it, then read afresh.
        releaseTurn = await turns.take(outcome.streamName);
        continue;
      }
      // Holding the turn, a wrong guess is not worth waiting for; another process's writer is.
      if (!guess) await backOff(attempt);
    }
  } finally {
    releaseTurn?.();
  }
  metrics.gaveUp();
  throw new ContentionError(lastConflict?.streamName ?? 'a stream');
}

/** Streams named on a span: enough to find a stream, bounded for a Bulk-sized command. */
const MAX_STREAMS_ON_SPAN = 16;

/** The streams the command appended to, each with its new revision, on the command's span. */
function describeOutcome(span: Span, outcome: CommandOutcome): void {
  const appended = [...outcome.streams.values()].filter((stream) => stream.eventIds.length > 0);
  span.setAttribute('scim.command.appended_streams', appended.length);
  span.setAttribute('scim.command.events', appended.reduce((sum, stream) => sum + stream.eventIds.length, 0));
  const named = appended.slice(0, MAX_STREAMS_ON_SPAN);
  span.setAttribute('scim.stream.names', named.map((stream) => stream.streamName));
  span.setAttribute('scim.stream.revisions', named.map((stream) => String(stream.revision)));
}

interface AttemptOptions {
  readonly commandId: string;
  readonly attempt: number;
  readonly cache: StreamStateCache | undefined;
  /** Decide on cached states (or "no stream") without reading; see runCommand. */
  readonly guess: boolean;
  /** The command's span while tracing is on. */
  readonly span: Span | null;
}

/**
 * One attempt: the outcome, the version conflict that ends it, or null when it guessed and cannot tell whether
 * the guess was right (nothing was written): the plan or a decider refused (on a guessed state), or a guessed
 * stream gets no append to check it with. A failing append is never put down to the guess: it is reported.
 */
async function attemptCommand(
  store: EventStore,
  metadata: EventMetadata,
  plan: (loader: StreamLoader) => Promise<readonly StreamDecision[]>,
  { commandId, attempt, cache, guess, span }: AttemptOptions,
): Promise<CommandOutcome | VersionConflictError | null> {
  const loaded = new Map<string, Promise<LoadedStream<unknown>>>();
  const guessed = new Set<string>();
  const dependencies = new Set<string>();
  // Starts loading every requested stream not loaded yet: guessed (nothing read), or read together in one round trip.
  const loadTogether = (requests: readonly StreamRequest[]): void => {
    const unread = [...new Map(requests.filter((r) => !loaded.has(r.streamName)).map((r) => [r.streamName, r.decider])).entries()];
    if (unread.length === 0) return;
    if (guess) {
      for (const [streamName, decider] of unread) {
        guessed.add(streamName);
        const cached = cache!.get(streamName, decider);
        loaded.set(
          streamName,
          Promise.resolve(cached ? { state: cached.state, revision: cached.revision, lastHash: cached.lastHash } : { state: decider.initialState, revision: null, lastHash: null }),
        );
      }
      return;
    }
    const toRead = unread.map(([streamName, decider]) => ({ streamName, decider }));
    const batch =
      span === null
        ? loadStreams(store, toRead, cache)
        : inSpan('event_store.read', () => ({ attributes: { 'scim.command.attempt': attempt, 'scim.stream.names': toRead.slice(0, MAX_STREAMS_ON_SPAN).map((r) => r.streamName) } }), () => loadStreams(store, toRead, cache));
    unread.forEach(([streamName], index) => {
      const entry = batch.then((streams) => streams[index]);
      entry.catch(() => undefined); // awaited by whoever loads it; only the first failure is reported
      loaded.set(streamName, entry);
    });
  };
  const loader: AttemptLoader = {
    load(streamName, decider) {
      loadTogether([{ streamName, decider: decider as AnyDecider }]);
      return loaded.get(streamName) as Promise<LoadedStream<never>>;
    },
    dependOn(streamNames, decider) {
      loadTogether(streamNames.map((streamName) => ({ streamName, decider: decider as AnyDecider })));
      for (const streamName of streamNames) dependencies.add(streamName);
      return Promise.all(streamNames.map((streamName) => loaded.get(streamName) as Promise<LoadedStream<never>>));
    },
    loadTogether,
  };
  let prepared: { appends: StreamAppend[]; decided: DecidedEntry[] };
  try {
    prepared = await decideAll(plan, loader, metadata, commandId, attempt);
  } catch (error) {
    if (guess) return null;
    throw error;
  }
  const { appends, decided } = prepared;
  const appended = new Set(appends.map((append) => append.streamName));
  // Streams depended on but not written: the append requires each existing one to be where it was loaded.
  // Nothing appended means nothing can depend on them.
  const conditions: StreamCondition[] = [];
  if (appends.length > 0) {
    for (const streamName of dependencies) {
      if (appended.has(streamName)) continue;
      const { revision } = await loaded.get(streamName)!;
      if (revision !== null) conditions.push({ streamName, revision });
    }
  }
  const checked = new Set([...appended, ...conditions.map((condition) => condition.streamName)]);
  // A guessed stream the append does not check (read only, or left unchanged) may have been guessed wrong.
  for (const streamName of guessed) if (!checked.has(streamName)) return null;

  let results: AppendResult[];
  try {
    results =
      appends.length === 0
        ? []
        : span !== null
          ? await inSpan('event_store.append', () => ({ attributes: appendAttributes(appends, conditions, attempt) }), (appendSpan) => appendTraced(store, appends, conditions, appendSpan!))
          : appends.length === 1 && conditions.length === 0
            ? [await store.appendToStream(appends[0])]
            : await store.appendToStreams(appends, conditions);
  } catch (error) {
    if (error instanceof VersionConflictError) return error;
    throw error;
  }

  const positions = new Map(appends.map((append, index) => [append.streamName, results[index].position]));
  for (const entry of decided) {
    if (entry.revision !== null) cache?.set(entry.streamName, entry.decider, entry.state, entry.revision, entry.lastHash);
  }
  const streams = new Map<string, DecidedStream>(
    decided.map(({ decider: _decider, ...entry }) => [entry.streamName, { ...entry, position: positions.get(entry.streamName) ?? null }]),
  );
  const position = results.map((r) => r.position).reduce<GlobalPosition | null>(
    (max, p) => (max === null || comparePositions(p, max) > 0 ? p : max),
    null,
  );
  return { streams, position };
}

async function appendTraced(store: EventStore, appends: readonly StreamAppend[], conditions: readonly StreamCondition[], span: Span): Promise<AppendResult[]> {
  const results = await (appends.length === 1 && conditions.length === 0 ? store.appendToStream(appends[0]).then((result) => [result]) : store.appendToStreams(appends, conditions));
  span.setAttribute('scim.stream.next_revisions', results.slice(0, MAX_STREAMS_ON_SPAN).map((result) => String(result.nextRevision)));
  return results;
}

/** The append span's attributes: each stream (bounded) with the revision the append expects it at. */
function appendAttributes(appends: readonly StreamAppend[], conditions: readonly StreamCondition[], attempt: number): Record<string, string[] | number> {
  const named = appends.slice(0, MAX_STREAMS_ON_SPAN);
  return {
    'scim.command.attempt': attempt,
    'scim.stream.names': named.map((entry) => entry.streamName),
    'scim.stream.expected_revisions': named.map((entry) => String(entry.expectedRevision)),
    'scim.event_store.events': appends.reduce((sum, entry) => sum + entry.events.length, 0),
    'scim.event_store.conditions': conditions.length,
  };
}

interface StreamRequest {
  readonly streamName: string;
  readonly decider: AnyDecider;
}

interface AttemptLoader extends StreamLoader {
  /** Starts loading, together, every stream of `requests` not loaded yet. */
  loadTogether(requests: readonly StreamRequest[]): void;
}

interface DecidedEntry {
  readonly streamName: string;
  readonly decider: AnyDecider;
  readonly events: readonly DomainEvent[];
  readonly state: unknown;
  readonly revision: bigint | null;
  readonly lastHash: string | null;
  readonly eventIds: string[];
}

/** Runs the plan and every decision: the appends to make and what each stream becomes. */
async function decideAll(
  plan: (loader: StreamLoader) => Promise<readonly StreamDecision[]>,
  loader: AttemptLoader,
  metadata: EventMetadata,
  commandId: string,
  attempt: number,
): Promise<{ appends: StreamAppend[]; decided: DecidedEntry[] }> {
  const decisions = await plan(loader);
  // Every stream decided on that the plan did not read yet is read now, together: one round trip, not one each.
  loader.loadTogether(decisions);

  const appends: StreamAppend[] = [];
  const decided: DecidedEntry[] = [];
  for (const { streamName, decider, command, requiredRevision, compensate } of decisions) {
    const current = await loader.load(streamName, decider);
    if (requiredRevision !== undefined && current.revision !== requiredRevision) {
      throw new ScimError(412, undefined, `resource is at version W/"${current.revision ?? 'none'}", not the W/"${requiredRevision}" given in If-Match`);
    }
    const events = decider.decide(command, current.state);
    const state = foldEvents(decider, events, current.state);
    // Each event chains to the one before it in the stream (docs/audit-format.md); a compensation, appended
    // only right after these events, continues the chain from the last of them.
    const chain = new StreamChain(streamName, current.revision, current.lastHash);
    const newEvents: NewEvent[] = events.map((event, index) =>
      chain.next({ id: deterministicEventId({ commandId, attempt, streamName, index }), type: event.type, data: event.data, metadata }),
    );
    const lastHash = chain.lastHash;
    const compensation: NewEvent[] =
      compensate && newEvents.length > 0
        ? compensate(events).map((event, index) =>
            chain.next({ id: compensationEventId(newEvents[0].id, index), type: event.type, data: event.data, metadata }),
          )
        : [];
    const revision = events.length === 0 ? current.revision : (current.revision ?? -1n) + BigInt(events.length);
    decided.push({ streamName, decider, events, state, revision, lastHash, eventIds: newEvents.map((e) => e.id) });
    if (newEvents.length > 0) {
      appends.push({
        streamName,
        expectedRevision: current.revision ?? 'no-stream',
        events: newEvents,
        ...(compensation.length > 0 ? { compensation } : {}),
      });
    }
  }
  return { appends, decided };
}

async function loadStreams(
  store: EventStore,
  requests: readonly StreamRequest[],
  cache: StreamStateCache | undefined,
): Promise<LoadedStream<unknown>[]> {
  const cached = requests.map(({ streamName, decider }) => cache?.get(streamName, decider));
  // From the cached revision on, so a cached stream reads only what other writers appended since.
  const recorded = await store.readStreams(
    requests.map(({ streamName }, index) => ({ streamName, fromRevision: cached[index] ? cached[index].revision + 1n : 0n })),
  );
  return requests.map(({ streamName, decider }, index) => {
    const from = cached[index];
    const events = recorded[index];
    const state = foldEvents(
      decider,
      events.map((event) => decider.decode(event) ?? foreignEvent(event, "an event of the stream's decider")),
      from ? from.state : decider.initialState,
    );
    const last = events.at(-1);
    if (!last) return { state, revision: from?.revision ?? null, lastHash: from?.lastHash ?? null };
    const lastHash = last.metadata.hash ?? null;
    cache?.set(streamName, decider, state, last.revision, lastHash);
    return { state, revision: last.revision, lastHash };
  });
}

/** Numbers and hashes the events appended to one stream, each chained to the one before. */
class StreamChain {
  private revision: bigint;

  constructor(
    private readonly streamName: string,
    current: bigint | null,
    public lastHash: string | null,
  ) {
    this.revision = current ?? -1n;
  }

  next(event: { readonly id: string; readonly type: string; readonly data: unknown; readonly metadata: EventMetadata }): NewEvent {
    this.revision += 1n;
    const unhashed = { ...event, schemaVersion: CURRENT_SCHEMA_VERSION };
    const metadata = chainedMetadata({ ...unhashed, streamName: this.streamName, revision: this.revision }, this.lastHash);
    this.lastHash = metadata.hash;
    return { ...unhashed, metadata };
  }
}

/**
 * Jittered exponential back-off so conflicting writers (of other processes, or before their turn) spread out
 * instead of colliding again: up to 2, 4, ... 200 ms, about 1 s on average over 16 attempts.
 */
function backOff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
