/** A stream folded up to `revision`. */
export interface CachedStream {
  readonly state: unknown;
  readonly revision: bigint;
  /** The hash of the event at `revision` (null: it predates the hash chain). */
  readonly lastHash: string | null;
}

/**
 * Per-stream folded state, so a write to a long stream (a 100,000-member group) reads only the events after the
 * cached revision instead of the whole stream (DESIGN.md "Events"). Never wrong, only stale: the command loop
 * always reads what came after the cached revision, so another writer (another replica) costs a short read, and
 * a race costs a version conflict and a retry. Least recently used entries go first.
 *
 * Each entry also keeps the hash of the event at its revision (docs/audit-format.md), which the next event of the
 * stream chains to: state, revision and hash always describe the same event.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, CachedStream & { readonly owner: unknown }>();

  constructor(private readonly maxEntries = 10_000) {}

  /** `owner` is the decider: a stream is folded by one decider, and a different one must not see this state. */
  get(streamName: string, owner: unknown): CachedStream | undefined {
    const entry = this.entries.get(streamName);
    if (!entry || entry.owner !== owner) return undefined;
    this.entries.delete(streamName);
    this.entries.set(streamName, entry);
    return entry;
  }

  /** `lastHash`: metadata.hash of the event at `revision`; null when that event predates the hash chain. */
  set(streamName: string, owner: unknown, state: unknown, revision: bigint, lastHash: string | null): void {
    this.entries.delete(streamName);
    this.entries.set(streamName, { owner, state, revision, lastHash });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
