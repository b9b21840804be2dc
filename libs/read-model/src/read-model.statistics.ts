import type { EventStore, ReadAllOptions, RecordedEvent } from '#event-store/event-store.port.js';
import type { SqlQueryable } from './users.query.js';

export interface PlannerStatisticsOptions {
  /** ANALYZE after a catch-up of at least this many events (default 1,000)... */
  readonly minEvents?: number;
  /** ...and at least this share of the largest table's rows at the previous ANALYZE (default 0.1). */
  readonly scaleFactor?: number;
  /**
   * While writes come in (the reader is at the head, never a full batch behind), ANALYZE runs in the background
   * and at most this often (default 60,000 ms, autovacuum's naptime).
   */
  readonly steadyIntervalMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
  readonly warn?: (message: string) => void;
}

/**
 * Planner statistics for a database whose tables the projection fills in large steps.
 *
 * The read model's lookups need statistics: without them PostgreSQL plans the work-email filter as a BitmapAnd
 * with a scan of every row of the tenant, and the event store's range checks as sequential scans
 * (docs/benchmarks.md "Where the time goes" A). A PostgreSQL server's autovacuum gathers them about a minute
 * after a large change; PGlite has no autovacuum at all. So ANALYZE runs:
 *
 * - when asked (`analyze()`: at start, periodically);
 * - when a reader of the whole log catches up after a large step (`watchCatchUp`): the projection after a start
 *   over a long unprojected log, a restore, a burst of bulk writes. Like autovacuum's threshold, a step is large
 *   when it is at least `minEvents` events and `scaleFactor` of the largest table's rows at the previous ANALYZE,
 *   so on a large database it stays rare. It runs before the reader gets its last batch, so the projection reports
 *   itself caught up (GET /ready) only once the planner knows the new rows; on PGlite, which runs one statement
 *   at a time, no request that comes after /ready waits behind that ANALYZE.
 * - while writes come in (the reader is at the head and was never a full batch behind since the last ANALYZE): in
 *   the background, at the same threshold but at most once a minute (at once while the tables were nearly empty at
 *   the last ANALYZE, as on a new database analysed at start). A log analysed while empty had the event
 *   store's wait check scan all 8,600 events of an Entra cycle (10-40 ms on PGlite after every projected batch), so
 *   the first ANALYZE matters; awaiting one every 1,000 events held the projection, and with it every write's
 *   read-your-writes answer, behind it (write p99 on PGlite 101 -> 234 ms in the Entra cycle). Once a table has
 *   statistics the planner scales them with the table's size, so a minute's rhythm is enough.
 *
 * ANALYZE samples (300 rows per unit of statistics target per table: 30,000 at PostgreSQL's default, 7,500 on the
 * embedded server), so it stays short however large the tables grow: 1-2 s for 300,000 events and 100,000 users
 * on PGlite (docs/benchmarks.md, docs/benchmarks-filters-memory.md).
 */
export class PlannerStatistics {
  private readonly minEvents: number;
  private readonly scaleFactor: number;
  /** Events readers of the whole log have been handed since the last ANALYZE. */
  private eventsSinceAnalyze = 0;
  /** The largest table's estimated rows at the last ANALYZE (pg_class.reltuples). */
  private largestTableRows = 0;
  private running: Promise<void> | null = null;
  /** A readAll since the last ANALYZE returned a full batch: the reader was behind, catching up. */
  private caughtUpFromBehind = false;
  private lastAnalyzeStartedAt = Number.NEGATIVE_INFINITY;
  private readonly steadyIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly database: SqlQueryable,
    private readonly options: PlannerStatisticsOptions = {},
  ) {
    this.minEvents = options.minEvents ?? 1_000;
    this.scaleFactor = options.scaleFactor ?? 0.1;
    this.steadyIntervalMs = options.steadyIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** ANALYZE of the whole database (read model, event store, the gateway's tables); never throws. */
  analyze(): Promise<void> {
    this.running ??= this.runAnalyze().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Events a catch-up must have read before it ends with an ANALYZE. */
  get catchUpThreshold(): number {
    return Math.max(this.minEvents, Math.ceil(this.scaleFactor * this.largestTableRows));
  }

  /**
   * The same store, except that a `readAll` of the whole log (no stream or type filter) that returns a short
   * batch (the reader has reached the head) after a large step first runs ANALYZE. Every other call goes to the
   * store untouched.
   */
  watchCatchUp(store: EventStore): EventStore {
    const readAll = async (options: ReadAllOptions): Promise<RecordedEvent[]> => {
      const events = await store.readAll(options);
      if (options.eventTypes?.length || options.streamPrefixes?.length) return events;
      this.eventsSinceAnalyze += events.length;
      if (events.length >= options.maxCount) {
        this.caughtUpFromBehind = true;
        return events;
      }
      if (this.eventsSinceAnalyze < this.catchUpThreshold || this.running) return events;
      if (this.caughtUpFromBehind) {
        this.options.log?.(`caught up after ${this.eventsSinceAnalyze} events: ANALYZE`);
        await this.analyze();
      } else if (this.largestTableRows < this.minEvents || this.now() - this.lastAnalyzeStartedAt >= this.steadyIntervalMs) {
        // Tables nearly empty at the last ANALYZE (a new database, analysed at start) get theirs at once.
        this.options.log?.(`${this.eventsSinceAnalyze} events since the last ANALYZE: ANALYZE in the background`);
        void this.analyze();
      }
      return events;
    };
    const methods = new Map<PropertyKey, unknown>();
    return new Proxy(store, {
      get(target, property) {
        if (property === 'readAll') return readAll;
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        // Bound once, so `store.method` stays the same function and `this` is the store itself.
        if (!methods.has(property)) methods.set(property, (value as (...args: unknown[]) => unknown).bind(target));
        return methods.get(property);
      },
    });
  }

  private async runAnalyze(): Promise<void> {
    const events = this.eventsSinceAnalyze;
    const started = performance.now();
    this.lastAnalyzeStartedAt = this.now();
    this.caughtUpFromBehind = false;
    try {
      await this.database.query('ANALYZE');
      // Counted from the start of this ANALYZE: events read while it ran are not in its sample.
      this.eventsSinceAnalyze -= events;
      const [largest] = await this.database.query<{ rows: number | string | null }[]>(
        `SELECT max(reltuples) AS rows FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)`,
      );
      this.largestTableRows = Math.max(0, Number(largest?.rows ?? 0));
      this.options.log?.(`ANALYZE took ${(performance.now() - started).toFixed(0)} ms (largest table ~${Math.round(this.largestTableRows)} rows)`);
    } catch (error) {
      this.options.warn?.(`ANALYZE failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
