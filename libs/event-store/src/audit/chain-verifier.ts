import { formatPosition, START, type EventStore, type GlobalPosition, type RecordedEvent } from '../event-store.port.js';
import { eventHash } from './event-hash.js';

/**
 * Checks a tenant's hash chains (docs/audit-format.md) by reading its events once, in log order, page by page.
 *
 * - hash-mismatch: the event's recorded `hash` is not the hash of its content: the event was changed.
 * - broken-link: its `previousHash` is not the hash of the previous event's content (as recomputed, so rewriting an
 *   event together with its own hash still breaks the link after it), or is not null at revision 0.
 * - revision-gap: revisions before this event are missing from the stream (deleted rows). Removing the last events
 *   of a stream leaves no gap and is not detectable by the chain alone.
 * - unchained: the event has no hash (recorded before the chain existed, or stripped of it). The first chained
 *   event after one starts the chain again from previousHash null.
 *
 * The log's order is not always revision order within a stream (on Postgres, a transaction appending to several
 * streams can be ordered before an earlier revision that a later-starting transaction committed first), so an event
 * whose predecessor has not been read yet waits, bounded per stream, for it; memory is one small entry per stream
 * plus those few waiting events.
 */

export type ChainProblemKind = 'hash-mismatch' | 'broken-link' | 'revision-gap' | 'unchained';

export interface ChainProblem {
  readonly streamName: string;
  /** Decimal string (revisions are bigint). */
  readonly revision: string;
  readonly eventId: string;
  readonly kind: ChainProblemKind;
  readonly detail: string;
}

export interface ChainVerification {
  readonly tenantId: string;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  /** True when no problem of any kind was found. */
  readonly ok: boolean;
  /** The first `maxProblems` problems, in the order found. */
  readonly problems: readonly ChainProblem[];
  readonly problemCount: number;
  readonly problemCounts: Readonly<Record<ChainProblemKind, number>>;
  /** Position of the last event checked ("commit:prepare"), null when the tenant has none. */
  readonly lastPosition: string | null;
}

export interface VerifyOptions {
  /** Events per readAll. Default 1,000. */
  readonly pageSize?: number;
  /** Problems listed (all are counted). Default 100. */
  readonly maxProblems?: number;
  /**
   * Events of one stream that may wait for a predecessor not read yet before the missing revisions are reported
   * as a gap. Default 1,000: log order departs from revision order only among concurrently committing appends.
   */
  readonly maxWaitingPerStream?: number;
  readonly signal?: AbortSignal;
}

/** What the chain needs of an event once its own hash is checked. */
interface Link {
  readonly revision: bigint;
  readonly id: string;
  /** The recorded previousHash; undefined for an unchained event. */
  readonly previousHash: string | null | undefined;
  /** What the next event must chain to: the recomputed hash, or null after an unchained event. */
  readonly chainsTo: string | null;
}

interface StreamProgress {
  /** The revision whose predecessor has been checked: the next one expected. */
  next: bigint;
  /** chainsTo of the event at next - 1 (null before revision 0). */
  chainsTo: string | null;
  /** Events read before their predecessor, by revision. */
  waiting: Map<bigint, Link> | null;
}

export async function verifyTenantChains(store: EventStore, tenantId: string, options: VerifyOptions = {}): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 1_000;
  const maxWaiting = options.maxWaitingPerStream ?? 1_000;
  const report = new ProblemReport(options.maxProblems ?? 100);
  const streams = new Map<string, StreamProgress>();
  let eventsChecked = 0;
  let after: GlobalPosition = START;
  let lastPosition: GlobalPosition | null = null;

  for (;;) {
    options.signal?.throwIfAborted();
    const page = await store.readAll({ after, maxCount: pageSize, streamPrefixes: [`${tenantId}.`] });
    if (page.length === 0) break;
    for (const event of page) {
      eventsChecked++;
      const link = checkOwnHash(event, report);
      let progress = streams.get(event.streamName);
      if (!progress) {
        progress = { next: 0n, chainsTo: null, waiting: null };
        streams.set(event.streamName, progress);
      }
      if (link.revision === progress.next) {
        advance(event.streamName, progress, link, report);
      } else if (link.revision > progress.next) {
        (progress.waiting ??= new Map()).set(link.revision, link);
        if (progress.waiting.size > maxWaiting) skipGap(event.streamName, progress, report);
      }
      // A revision below `next` cannot be read twice (one row per stream revision); nothing to check.
    }
    lastPosition = page[page.length - 1].position;
    after = lastPosition;
  }

  // What still waits for a predecessor at the end will not get it: those revisions are missing.
  for (const [streamName, progress] of streams) {
    while (progress.waiting && progress.waiting.size > 0) skipGap(streamName, progress, report);
  }

  return {
    tenantId,
    eventsChecked,
    streamsChecked: streams.size,
    ok: report.count === 0,
    problems: report.listed,
    problemCount: report.count,
    problemCounts: report.counts,
    lastPosition: lastPosition === null ? null : formatPosition(lastPosition),
  };
}

function checkOwnHash(event: RecordedEvent, report: ProblemReport): Link {
  const recorded = event.metadata.hash;
  const base = { revision: event.revision, id: event.id };
  if (typeof recorded !== 'string') {
    report.add(event.streamName, event.revision, event.id, 'unchained', 'the event has no hash');
    return { ...base, previousHash: undefined, chainsTo: null };
  }
  const computed = eventHash(event);
  if (computed !== recorded) {
    report.add(event.streamName, event.revision, event.id, 'hash-mismatch', `recorded hash ${recorded}, content hashes to ${computed}`);
  }
  const previousHash = event.metadata.previousHash;
  return { ...base, previousHash: typeof previousHash === 'string' ? previousHash : null, chainsTo: computed };
}

/** `link` is the event at progress.next: check it against its predecessor, then whatever was waiting for it. */
function advance(streamName: string, progress: StreamProgress, link: Link, report: ProblemReport): void {
  for (let current: Link | undefined = link; current; ) {
    checkLink(streamName, progress.chainsTo, current, report);
    progress.chainsTo = current.chainsTo;
    progress.next = current.revision + 1n;
    current = progress.waiting?.get(progress.next);
    if (current) progress.waiting!.delete(progress.next);
  }
  if (progress.waiting?.size === 0) progress.waiting = null;
}

function checkLink(streamName: string, expected: string | null, link: Link, report: ProblemReport): void {
  if (link.previousHash === undefined) return; // unchained: reported already
  if (link.previousHash !== expected) {
    const detail =
      link.revision === 0n
        ? `previousHash of revision 0 is ${link.previousHash}, not null`
        : `previousHash ${link.previousHash ?? 'null'}, but revision ${link.revision - 1n} hashes to ${expected ?? '(unchained)'}`;
    report.add(streamName, link.revision, link.id, 'broken-link', detail);
  }
}

/** The revisions before the lowest waiting one are missing: report the gap and go on from there. */
function skipGap(streamName: string, progress: StreamProgress, report: ProblemReport): void {
  const waiting = progress.waiting!;
  let lowest: bigint | undefined;
  for (const revision of waiting.keys()) if (lowest === undefined || revision < lowest) lowest = revision;
  const link = waiting.get(lowest!)!;
  waiting.delete(lowest!);
  const missing = progress.next === lowest! - 1n ? `revision ${progress.next} is missing` : `revisions ${progress.next} to ${lowest! - 1n} are missing`;
  report.add(streamName, link.revision, link.id, 'revision-gap', missing);
  // Its link cannot be checked; the chain continues from it.
  progress.chainsTo = link.chainsTo;
  progress.next = link.revision + 1n;
  const following = waiting.get(progress.next);
  if (following) {
    waiting.delete(progress.next);
    advance(streamName, progress, following, report);
  } else if (waiting.size === 0) {
    progress.waiting = null;
  }
}

class ProblemReport {
  readonly listed: ChainProblem[] = [];
  readonly counts: Record<ChainProblemKind, number> = { 'hash-mismatch': 0, 'broken-link': 0, 'revision-gap': 0, unchained: 0 };
  count = 0;

  constructor(private readonly max: number) {}

  add(streamName: string, revision: bigint, eventId: string, kind: ChainProblemKind, detail: string): void {
    this.count++;
    this.counts[kind]++;
    if (this.listed.length < this.max) this.listed.push({ streamName, revision: revision.toString(), eventId, kind, detail });
  }
}
