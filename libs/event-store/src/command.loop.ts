import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import { inSpan } from '#observability/tracing.js';
import { assertNever, foldEvents, type Decider, type DomainEvent } from '#domain/decider.js';
import { foreignEvent } from '#domain/stored-event.js';
import { NO_COMMAND_METRICS, type CommandMetrics } from '#observability/metrics.recorders.js';
import { chainedMetadata } from './audit/event-hash.js';
import { compensationEventId, deterministicEventId } from './deterministic-event-id.js';
import { ContentionError, RevisionPreconditionFailedError, VersionConflictError } from './event-store.errors.js';
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
  /**
   * Decides one stream now, inside the plan (If-Match checked first), and answers its state before and after the
   * command: what the plan needs to choose its other decisions, e.g. the unique keys a rename moves. The events
   * decided here are appended with the plan's other decisions (before them): each stream is decided once per attempt.
   */
  decide<Command, Event extends DomainEvent, State>(
    streamName: string,
    decider: Decider<Command, Event, State>,
    command: Command,
    options?: DecisionOptions<Event>,
  ): Promise<DecidedState<State, Event>>;
}

/** A stream decided inside the plan (StreamLoader.decide). */
export interface DecidedState<State, Event extends DomainEvent = DomainEvent> {
  readonly before: State;
  readonly after: State;
  readonly events: readonly Event[];
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

export interface CommandOutcome<Result = undefined> {
  readonly streams: ReadonlyMap<string, DecidedStream>;
  /** Greatest position appended, null when the command recorded nothing. */
  readonly position: GlobalPosition | null;
  /** What the plan of the attempt that committed answered besides its decisions (Planned.result). */
  readonly result: Result;
}

/**
 * What a plan answers: its decisions, or its decisions with a result the caller needs from the attempt that
 * commits (e.g. the member ids a group command skipped). A plan returns it instead of setting anything outside:
 * it runs once per attempt.
 */
export type Planned<Result> = readonly StreamDecision[] | { readonly decisions: readonly StreamDecision[]; readonly result: Result };

/** Decides what the command records, on streams it loads through the loader; see runCommand. */
export type CommandPlan<Result = undefined> = (loader: StreamLoader) => Promise<Planned<Result>>;

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
 *
 * One attempt, top to bottom (attemptCommand): the streams are guessed from the cache or loaded (AttemptStreams),
 * decided with their events chained (decideCommand, decideStream, chainEvents), checked (conditionsOf, guess
 * verification), appended (appendDecided), and the new states cached (cacheDecided).
 */
export function runCommand<Result = undefined>(
  store: EventStore,
  metadata: EventMetadata,
  plan: CommandPlan<Result>,
  options: CommandLoopOptions = {},
): Promise<CommandOutcome<Result>> {
  // The `command` span (docs/observability.md "Tracing"): attempts, conflicts and what was appended.
  return inSpan('command', null, (span) => runCommandLoop(store, metadata, plan, options, span));
}

async function runCommandLoop<Result>(
  store: EventStore,
  metadata: EventMetadata,
  plan: CommandPlan<Result>,
  options: CommandLoopOptions,
  span: Span | null,
): Promise<CommandOutcome<Result>> {
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
      let result: AttemptResult<Result>;
      try {
        result = await attemptCommand(store, plan, { metadata, commandId, attempt, cache, guess, span });
      } catch (error) {
        metrics.attempt('failed');
        throw error;
      }
      switch (result.kind) {
        case 'committed':
          metrics.attempt('committed');
          if (span) describeOutcome(span, result.outcome);
          return result.outcome;
        case 'unverified':
          // a guess it cannot verify, or an error the guess may have caused: read
          metrics.attempt('unverified');
          if (attempt < maxAttempts) metrics.retry('unverified');
          span?.addEvent('guess_unverified', { 'scim.command.attempt': attempt });
          continue;
        case 'conflict': {
          const { conflict } = result;
          metrics.attempt('conflict');
          if (attempt < maxAttempts) metrics.retry('conflict');
          lastConflict = conflict;
          span?.addEvent('version_conflict', {
            'scim.command.attempt': attempt,
            'scim.stream.name': conflict.streamName,
            'scim.stream.expected_revision': conflict.expected,
            'scim.stream.actual_revision': conflict.actual,
            'scim.command.guessed': guess,
          });
          if (turns && !releaseTurn) {
            // Lost a race in this process (or to another one): wait for the others that lost it, then read afresh.
            releaseTurn = await turns.take(conflict.streamName);
            continue;
          }
          // Holding the turn, a wrong guess is not worth waiting for; another process's writer is.
          if (!guess) await backOff(attempt);
          continue;
        }
        default:
          return assertNever(result);
      }
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
function describeOutcome(span: Span, outcome: CommandOutcome<unknown>): void {
  const appended = [...outcome.streams.values()].filter((stream) => stream.eventIds.length > 0);
  span.setAttribute('scim.command.appended_streams', appended.length);
  span.setAttribute('scim.command.events', appended.reduce((sum, stream) => sum + stream.eventIds.length, 0));
  const named = appended.slice(0, MAX_STREAMS_ON_SPAN);
  span.setAttribute('scim.stream.names', named.map((stream) => stream.streamName));
  span.setAttribute('scim.stream.revisions', named.map((stream) => String(stream.revision)));
}

/**
 * What one attempt came to: it committed; it lost a race (the version conflict); or it guessed and cannot tell
 * whether the guess was right, nothing written (the plan or a decider refused on a guessed state, or a guessed
 * stream gets no append to check it with). A failing append is never put down to the guess: it is thrown.
 */
type AttemptResult<Result> =
  | { readonly kind: 'committed'; readonly outcome: CommandOutcome<Result> }
  | { readonly kind: 'conflict'; readonly conflict: VersionConflictError }
  | { readonly kind: 'unverified' };

const UNVERIFIED = { kind: 'unverified' } as const;

interface AttemptOptions {
  readonly metadata: EventMetadata;
  readonly commandId: string;
  readonly attempt: number;
  readonly cache: StreamStateCache | undefined;
  /** Decide on cached states (or "no stream") without reading; see runCommand. */
  readonly guess: boolean;
  /** The command's span while tracing is on. */
  readonly span: Span | null;
}

/** One attempt: load (or guess), decide, check, append, cache. */
async function attemptCommand<Result>(store: EventStore, plan: CommandPlan<Result>, options: AttemptOptions): Promise<AttemptResult<Result>> {
  const streams = new AttemptStreams(store, options);
  let decided: DecidedCommand<Result>;
  try {
    decided = await decideCommand(plan, streams, options);
  } catch (error) {
    if (options.guess) return UNVERIFIED;
    throw error;
  }
  const appends = decided.parts.flatMap((part) => (part.append ? [part.append] : []));
  const conditions = await conditionsOf(appends, streams);
  if (!streams.guessesChecked(appends, conditions)) return UNVERIFIED;
  let results: AppendResult[];
  try {
    results = await appendDecided(store, appends, conditions, options);
  } catch (error) {
    if (error instanceof VersionConflictError) return { kind: 'conflict', conflict: error };
    throw error;
  }
  cacheDecided(options.cache, decided.parts);
  return { kind: 'committed', outcome: outcomeOf(decided, appends, results) };
}

interface StreamRequest {
  readonly streamName: string;
  readonly decider: AnyDecider;
}

/**
 * The streams one attempt loads, each once: guessed from the cache (nothing read), or read together, one round
 * trip per batch. Remembers which were guessed and which the command only depends on.
 */
class AttemptStreams {
  private readonly loadedStreams = new Map<string, Promise<LoadedStream<unknown>>>();
  private readonly guessed = new Set<string>();
  readonly dependencies = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly options: AttemptOptions,
  ) {}

  /** Starts loading, together, every stream of `requests` not loaded yet. */
  request(requests: readonly StreamRequest[]): void {
    const unread = [...new Map(requests.filter((r) => !this.loadedStreams.has(r.streamName)).map((r) => [r.streamName, r.decider])).entries()];
    if (unread.length === 0) return;
    if (this.options.guess) {
      for (const [streamName, decider] of unread) {
        this.guessed.add(streamName);
        this.loadedStreams.set(streamName, Promise.resolve(guessFromCache(this.options.cache!, streamName, decider)));
      }
      return;
    }
    const batch = readTraced(this.store, unread.map(([streamName, decider]) => ({ streamName, decider })), this.options);
    unread.forEach(([streamName], index) => {
      const entry = batch.then((streams) => streams[index]);
      entry.catch(() => undefined); // awaited by whoever loads it; only the first failure is reported
      this.loadedStreams.set(streamName, entry);
    });
  }

  load(request: StreamRequest): Promise<LoadedStream<unknown>> {
    this.request([request]);
    return this.loadedStreams.get(request.streamName)!;
  }

  /** A stream this attempt has loaded already (a dependency, say). */
  loaded(streamName: string): Promise<LoadedStream<unknown>> {
    const entry = this.loadedStreams.get(streamName);
    if (!entry) throw new Error(`stream ${streamName} was not loaded in this attempt`);
    return entry;
  }

  /** Whether the append checks every stream guessed: a stream only read, or left unchanged, may have been guessed wrong. */
  guessesChecked(appends: readonly StreamAppend[], conditions: readonly StreamCondition[]): boolean {
    const checked = new Set([...appends.map((append) => append.streamName), ...conditions.map((condition) => condition.streamName)]);
    return [...this.guessed].every((streamName) => checked.has(streamName));
  }
}

/** Guess from cache: the cached state, or "the stream does not exist yet" for a stream the cache does not hold. */
function guessFromCache(cache: StreamStateCache, streamName: string, decider: AnyDecider): LoadedStream<unknown> {
  const cached = cache.get(streamName, decider);
  return cached ? { state: cached.state, revision: cached.revision, lastHash: cached.lastHash } : { state: decider.initialState, revision: null, lastHash: null };
}

/** Load: the streams read in one round trip, in an `event_store.read` span while tracing is on. */
function readTraced(store: EventStore, requests: readonly StreamRequest[], { cache, span, attempt }: AttemptOptions): Promise<LoadedStream<unknown>[]> {
  if (span === null) return loadStreams(store, requests, cache);
  const attributes = { 'scim.command.attempt': attempt, 'scim.stream.names': requests.slice(0, MAX_STREAMS_ON_SPAN).map((r) => r.streamName) };
  return inSpan('event_store.read', () => ({ attributes }), () => loadStreams(store, requests, cache));
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

interface DecidedEntry {
  readonly streamName: string;
  readonly decider: AnyDecider;
  readonly events: readonly DomainEvent[];
  readonly state: unknown;
  readonly revision: bigint | null;
  readonly lastHash: string | null;
  readonly eventIds: string[];
}

/** One stream's decision on its loaded state: what it becomes, and its append (null: nothing to record). */
interface DecidedStreamPart {
  readonly entry: DecidedEntry;
  readonly append: StreamAppend | null;
}

/** Every stream's decision of one attempt, in order (those the plan decided itself first), and the plan's result. */
interface DecidedCommand<Result> {
  readonly parts: readonly DecidedStreamPart[];
  readonly result: Result;
}

/**
 * Decide: runs the plan with a loader over the attempt's streams, then every decision it returned that it did
 * not decide itself (StreamLoader.decide), on streams read together.
 */
async function decideCommand<Result>(plan: CommandPlan<Result>, streams: AttemptStreams, options: AttemptOptions): Promise<DecidedCommand<Result>> {
  const early = new Map<string, DecidedStreamPart>();
  const loader: StreamLoader = {
    load: (streamName, decider) => streams.load({ streamName, decider: decider as AnyDecider }) as Promise<LoadedStream<never>>,
    dependOn(streamNames, decider) {
      const requests = streamNames.map((streamName) => ({ streamName, decider: decider as AnyDecider }));
      streams.request(requests);
      for (const streamName of streamNames) streams.dependencies.add(streamName);
      return Promise.all(requests.map((request) => streams.load(request) as Promise<LoadedStream<never>>));
    },
    async decide(streamName, decider, command, decisionOptions = {}) {
      const streamDecision = decision(streamName, decider, command, decisionOptions);
      const current = await streams.load(streamDecision);
      const part = decideStream(streamDecision, current, options);
      early.set(streamName, part);
      return { before: current.state as never, after: part.entry.state as never, events: part.entry.events as never };
    },
  };
  const planned = await plan(loader);
  const { decisions: all, result } = isDecisionList(planned) ? { decisions: planned, result: undefined as Result } : planned;
  const decisions = all.filter((streamDecision) => !early.has(streamDecision.streamName));
  // Every stream decided on that the plan did not read yet is read now, together: one round trip, not one each.
  streams.request(decisions);
  const parts = [...early.values()];
  for (const streamDecision of decisions) parts.push(decideStream(streamDecision, await streams.load(streamDecision), options));
  return { parts, result };
}

function isDecisionList<Result>(planned: Planned<Result>): planned is readonly StreamDecision[] {
  return Array.isArray(planned);
}

/** One stream: If-Match checked, the decider's events, the state they lead to, and the chained events to append. */
function decideStream(
  { streamName, decider, command, requiredRevision, compensate }: StreamDecision,
  current: LoadedStream<unknown>,
  options: AttemptOptions,
): DecidedStreamPart {
  if (requiredRevision !== undefined && current.revision !== requiredRevision) {
    throw new RevisionPreconditionFailedError(streamName, requiredRevision, current.revision);
  }
  const events = decider.decide(command, current.state);
  const state = foldEvents(decider, events, current.state);
  const { newEvents, compensation, lastHash } = chainEvents(streamName, current, events, compensate, options);
  const revision = events.length === 0 ? current.revision : (current.revision ?? -1n) + BigInt(events.length);
  const entry = { streamName, decider, events, state, revision, lastHash, eventIds: newEvents.map((e) => e.id) };
  if (newEvents.length === 0) return { entry, append: null };
  return {
    entry,
    append: { streamName, expectedRevision: current.revision ?? 'no-stream', events: newEvents, ...(compensation.length > 0 ? { compensation } : {}) },
  };
}

/**
 * Chain hashes: each event chains to the one before it in the stream (docs/audit-format.md); a compensation,
 * appended only right after these events, continues the chain from the last of them.
 */
function chainEvents(
  streamName: string,
  current: LoadedStream<unknown>,
  events: readonly DomainEvent[],
  compensate: StreamDecision['compensate'],
  { metadata, commandId, attempt }: AttemptOptions,
): { newEvents: NewEvent[]; compensation: NewEvent[]; lastHash: string | null } {
  const chain = new StreamChain(streamName, current.revision, current.lastHash);
  const newEvents: NewEvent[] = events.map((event, index) =>
    chain.next({ id: deterministicEventId({ commandId, attempt, streamName, index }), type: event.type, data: event.data, metadata }),
  );
  const lastHash = chain.lastHash;
  const compensation: NewEvent[] =
    compensate && newEvents.length > 0
      ? compensate(events).map((event, index) => chain.next({ id: compensationEventId(newEvents[0].id, index), type: event.type, data: event.data, metadata }))
      : [];
  return { newEvents, compensation, lastHash };
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
 * Streams depended on but not written: the append requires each existing one to be where it was loaded.
 * Nothing appended means nothing can depend on them.
 */
async function conditionsOf(appends: readonly StreamAppend[], streams: AttemptStreams): Promise<StreamCondition[]> {
  if (appends.length === 0) return [];
  const appended = new Set(appends.map((append) => append.streamName));
  const conditions: StreamCondition[] = [];
  for (const streamName of streams.dependencies) {
    if (appended.has(streamName)) continue;
    const { revision } = await streams.loaded(streamName);
    if (revision !== null) conditions.push({ streamName, revision });
  }
  return conditions;
}

/** Append: one atomic call (none when nothing was decided), in an `event_store.append` span while tracing is on. */
async function appendDecided(
  store: EventStore,
  appends: readonly StreamAppend[],
  conditions: readonly StreamCondition[],
  { span, attempt }: AttemptOptions,
): Promise<AppendResult[]> {
  if (appends.length === 0) return [];
  const append = () => (appends.length === 1 && conditions.length === 0 ? store.appendToStream(appends[0]).then((result) => [result]) : store.appendToStreams(appends, conditions));
  if (span === null) return append();
  return inSpan('event_store.append', () => ({ attributes: appendAttributes(appends, conditions, attempt) }), async (appendSpan) => {
    const results = await append();
    appendSpan!.setAttribute('scim.stream.next_revisions', results.slice(0, MAX_STREAMS_ON_SPAN).map((result) => String(result.nextRevision)));
    return results;
  });
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

/** Cache: every stream that exists after the command, at its new revision, for the next command's guess. */
function cacheDecided(cache: StreamStateCache | undefined, parts: readonly DecidedStreamPart[]): void {
  if (!cache) return;
  for (const { entry } of parts) {
    if (entry.revision !== null) cache.set(entry.streamName, entry.decider, entry.state, entry.revision, entry.lastHash);
  }
}

/** What the command returns: each stream decided, with the position of its append, and the greatest position. */
function outcomeOf<Result>(decided: DecidedCommand<Result>, appends: readonly StreamAppend[], results: readonly AppendResult[]): CommandOutcome<Result> {
  const positions = new Map(appends.map((append, index) => [append.streamName, results[index].position]));
  const streams = new Map<string, DecidedStream>(
    decided.parts.map(({ entry: { decider: _decider, ...entry } }) => [entry.streamName, { ...entry, position: positions.get(entry.streamName) ?? null }]),
  );
  const position = results.map((r) => r.position).reduce<GlobalPosition | null>((max, p) => (max === null || comparePositions(p, max) > 0 ? p : max), null);
  return { streams, position, result: decided.result };
}

/**
 * Jittered exponential back-off so conflicting writers (of other processes, or before their turn) spread out
 * instead of colliding again: up to 2, 4, ... 200 ms, about 1 s on average over 16 attempts.
 */
function backOff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
