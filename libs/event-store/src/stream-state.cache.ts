/**
 * Per-stream folded state, so a write to a long stream (a 100,000-member group) reads only the events after the
 * cached revision instead of the whole stream (DESIGN.md "Events"). Never wrong, only stale: the command loop
 * always reads what came after the cached revision, so another writer (another replica) costs a short read, and
 * a race costs a version conflict and a retry. Least recently used entries go first.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, { readonly owner: unknown; readonly state: unknown; readonly revision: bigint }>();

  constructor(private readonly maxEntries = 10_000) {}

  /** `owner` is the decider: a stream is folded by one decider, and a different one must not see this state. */
  get(streamName: string, owner: unknown): { state: unknown; revision: bigint } | undefined {
    const entry = this.entries.get(streamName);
    if (!entry || entry.owner !== owner) return undefined;
    this.entries.delete(streamName);
    this.entries.set(streamName, entry);
    return entry;
  }

  set(streamName: string, owner: unknown, state: unknown, revision: bigint): void {
    this.entries.delete(streamName);
    this.entries.set(streamName, { owner, state, revision });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
