/** Latency samples per request kind, and the few statistics the report shows. */

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile of ascending samples (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1],
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

export class LatencyRecorder {
  private readonly samples = new Map<string, number[]>();
  private readonly failures = new Map<string, number>();
  private readonly failureMessages: string[] = [];

  record(kind: string, ms: number): void {
    let list = this.samples.get(kind);
    if (!list) this.samples.set(kind, (list = []));
    list.push(ms);
  }

  fail(kind: string, message: string): void {
    this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
    if (this.failureMessages.length < 10) this.failureMessages.push(`${kind}: ${message}`);
  }

  summary(kind: string): LatencySummary {
    return summarise(this.samples.get(kind) ?? []);
  }

  /** All samples of several kinds together (e.g. every write). */
  merged(kinds: readonly string[]): LatencySummary {
    return summarise(kinds.flatMap((kind) => this.samples.get(kind) ?? []));
  }

  count(kind: string): number {
    return this.samples.get(kind)?.length ?? 0;
  }

  kinds(): string[] {
    return [...this.samples.keys()];
  }

  get failureCount(): number {
    return [...this.failures.values()].reduce((sum, n) => sum + n, 0);
  }

  failuresOf(kind: string): number {
    return this.failures.get(kind) ?? 0;
  }

  get messages(): readonly string[] {
    return this.failureMessages;
  }
}

/** A small deterministic PRNG (mulberry32), so every run asks for the same users. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight; stops early once `shouldStop` says so. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
