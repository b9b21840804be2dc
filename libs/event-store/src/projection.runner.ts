import { performance } from 'node:perf_hooks';
import { SpanKind, TraceFlags, type Link } from '@opentelemetry/api';
import { NO_PROJECTION_METRICS, type ProjectionMetrics } from '#observability/metrics.recorders.js';
import { inSpan, traceIdOf, validTraceparent } from '#observability/tracing.js';
import type { EventStore, GlobalPosition, RecordedEvent } from './event-store.port.js';
import { comparePositions, formatPosition } from './event-store.port.js';

/**
 * A projection keeps its checkpoint itself, in the same transaction as its writes (STYLE.md principle 7),
 * so a crash between the two is impossible and a restart resumes exactly where it stopped.
 */
export interface Projection {
  readonly name: string;
  readonly eventTypes?: readonly string[];
  readonly streamPrefixes?: readonly string[];
  loadCheckpoint(): Promise<GlobalPosition>;
  /** Applies a batch and stores `checkpoint` (the batch's last position) atomically. Must be idempotent. */
  apply(events: readonly RecordedEvent[], checkpoint: GlobalPosition): Promise<void>;
}

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /** How long to sleep between polls when nothing wakes the runner earlier. */
  readonly idleWaitMs?: number;
  /** Longest pause between retries of a failing batch (default 30 s); a broker outage may want less. */
  readonly maxBackOffMs?: number;
  readonly logger?: { log(message: string): void; error(message: string, trace?: string): void };
  /** Batch sizes, durations and failures (scim_projection_batch_*); default: none recorded. */
  readonly metrics?: ProjectionMetrics;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly position: string;
  /** The last read found nothing more to apply. */
  readonly caughtUp: boolean;
  readonly lastError: string | null;
}

/**
 * Pulls batches from the global log after the projection's checkpoint and applies them; sleeps until the store
 * signals new events. A failing batch is retried with back-off, never skipped: a projection has no gaps.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly idleWaitMs: number;
  private readonly metrics: ProjectionMetrics;
  /** The last position applied (and checkpointed by the projection). */
  private position: GlobalPosition | null = null;
  private caughtUp = false;
  private lastError: string | null = null;
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private waiters: { position: GlobalPosition; resolve: (reached: boolean) => void }[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idleWaitMs = options.idleWaitMs ?? 1000;
    this.metrics = options.metrics ?? NO_PROJECTION_METRICS;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.position = await this.projection.loadCheckpoint();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = null;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(false);
  }

  status(): ProjectionStatus {
    return {
      name: this.projection.name,
      position: this.position ? formatPosition(this.position) : 'not started',
      caughtUp: this.caughtUp,
      lastError: this.lastError,
    };
  }

  /**
   * Resolves true once the projection has applied `position`, false after `timeoutMs` (read-your-writes). Only
   * meaningful for a projection without filters (the read model): a filtered one never reaches the position of
   * an event it skips.
   */
  waitForPosition(position: GlobalPosition, timeoutMs: number): Promise<boolean> {
    if (this.position && comparePositions(this.position, position) >= 0) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const after = this.position!;
        const events = await this.store.readAll({
          after,
          maxCount: this.batchSize,
          eventTypes: this.projection.eventTypes,
          streamPrefixes: this.projection.streamPrefixes,
        });
        if (events.length > 0) {
          const checkpoint = events[events.length - 1].position;
          const started = performance.now();
          await this.applyBatch(events, checkpoint, failures);
          this.metrics.applied(this.projection.name, events.length, (performance.now() - started) / 1000);
          this.advanceTo(checkpoint);
        }
        failures = 0;
        this.lastError = null;
        this.caughtUp = events.length < this.batchSize;
        // The store remembers this reader's filter, so events the projection skips do not wake it.
        if (this.caughtUp) await this.store.waitForEvents(this.position!, this.idleWaitMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        this.metrics.failed(this.projection.name);
        this.caughtUp = false;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.logger?.error(
          `projection ${this.projection.name} failed (attempt ${failures}), retrying: ${this.lastError}`,
          error instanceof Error ? error.stack : undefined,
        );
        await sleep(Math.min(this.options.maxBackOffMs ?? 30_000, 100 * 2 ** Math.min(failures, 9)), signal);
      }
    }
  }

  /**
   * One batch, in a `projection.batch` span while tracing is on: a trace of its own (a batch serves many
   * requests), linked to the trace of each request whose events it carries (at most MAX_BATCH_LINKS).
   */
  private applyBatch(events: readonly RecordedEvent[], checkpoint: GlobalPosition, failures: number): Promise<void> {
    return inSpan(
      'projection.batch',
      () => ({
        root: true,
        kind: SpanKind.CONSUMER,
        links: linksToRequests(events),
        attributes: {
          'scim.projection.name': this.projection.name,
          'scim.projection.batch_size': events.length,
          'scim.projection.from_position': formatPosition(events[0].position),
          'scim.projection.to_position': formatPosition(checkpoint),
          'scim.projection.retry': failures,
        },
      }),
      () => this.projection.apply(events, checkpoint),
    );
  }

  private advanceTo(position: GlobalPosition): void {
    this.position = position;
    const reached = this.waiters.filter((w) => comparePositions(position, w.position) >= 0);
    if (reached.length === 0) return;
    this.waiters = this.waiters.filter((w) => !reached.includes(w));
    for (const waiter of reached) waiter.resolve(true);
  }
}

/** Links a batch span keeps to the requests of its events: enough to follow a few, bounded for a 500-event batch. */
export const MAX_BATCH_LINKS = 16;

/** A link to the trace of each distinct request among the events, from their metadata's traceparent. */
export function linksToRequests(events: readonly RecordedEvent[]): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const traceparent = validTraceparent(event.metadata.traceparent);
    if (traceparent === null || seen.has(traceparent)) continue;
    seen.add(traceparent);
    links.push({
      context: { traceId: traceIdOf(traceparent), spanId: traceparent.slice(36, 52), traceFlags: parseInt(traceparent.slice(53), 16) & TraceFlags.SAMPLED, isRemote: true },
      attributes: { 'scim.event.id': event.id },
    });
    if (links.length === MAX_BATCH_LINKS) break;
  }
  return links;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
