import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { ProvisioningLogEntry } from './provisioning-log.entry.js';
import { ProvisioningLogStore, type ProvisioningLogWriter } from './provisioning-log.store.js';

export interface RecorderOptions {
  /** Longest an entry waits in memory before its batch is written. */
  readonly flushIntervalMs: number;
  /** Entries per INSERT; a full batch is written at once. */
  readonly batchSize: number;
  /** Entries kept while the database cannot take them; beyond it the oldest are dropped (and counted). */
  readonly maxBuffered: number;
}

export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = { flushIntervalMs: 250, batchSize: 200, maxBuffered: 10_000 };
/** Optional provider of other RecorderOptions (tests). */
export const PROVISIONING_LOG_RECORDER_OPTIONS = Symbol('ProvisioningLogRecorderOptions');
/** Retry pace while the database is failing. */
const RETRY_INTERVAL_MS = 1_000;
/** Longest a stop waits for the last writes (a database that hangs must not keep the process from exiting). */
const SHUTDOWN_FLUSH_TIMEOUT_MS = 5_000;

/** SQLSTATE classes that retrying the same rows cannot fix (bad data, constraint, schema): the batch is dropped. */
const PERMANENT_SQLSTATE = /^(22|23|42)/;

/**
 * Keeps the provisioning log off the request path: `record` only appends to memory; batches are written by a
 * timer, one multi-row INSERT each. A database outage costs entries (the oldest, counted and logged), never a
 * SCIM request. Whatever is buffered at shutdown is written before the database closes.
 */
@Injectable()
export class ProvisioningLogRecorder implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('ProvisioningLog');
  private readonly buffer = new EntryQueue();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private droppedTotal = 0;
  /** Drops not yet reported in a warning (one warning per failed flush at most, not one per entry). */
  private droppedUnreported = 0;
  private failing = false;
  /** Entries of the INSERT under way. */
  private inFlight = 0;

  private readonly options: RecorderOptions;

  constructor(
    @Inject(ProvisioningLogStore) private readonly writer: ProvisioningLogWriter,
    @Optional() @Inject(PROVISIONING_LOG_RECORDER_OPTIONS) options?: RecorderOptions,
  ) {
    this.options = options ?? DEFAULT_RECORDER_OPTIONS;
  }

  /** Entries lost so far (buffer full while the database was unavailable, or rows it refused). */
  get dropped(): number {
    return this.droppedTotal;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  record(entry: ProvisioningLogEntry): void {
    if (this.stopped) {
      // A response finishing after the final flush: written alone, best effort.
      this.writer.insert([entry]).catch(() => this.countDrops(1));
      return;
    }
    this.buffer.push(entry);
    this.capBuffer();
    // A write in progress drains what arrives meanwhile; a failing database is retried by the timer only.
    if (this.buffer.length >= this.options.batchSize && !this.flushing && !this.failing) void this.flush();
    else this.schedule();
  }

  /** Writes everything buffered (one INSERT per batch); resolves when done or failed, never rejects. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.clearTimer();
      this.flushing = this.writeBuffered().finally(() => {
        this.flushing = null;
        if (this.buffer.length > 0) this.schedule();
      });
    }
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flushWithin(SHUTDOWN_FLUSH_TIMEOUT_MS);
  }

  /** After the HTTP server has closed: the last responses are in; write them, then record directly. */
  async onApplicationShutdown(): Promise<void> {
    this.failing = false;
    await this.flushWithin(SHUTDOWN_FLUSH_TIMEOUT_MS);
    this.stopped = true;
    this.clearTimer();
    // Whatever is still here, or still on its way to a database that does not answer, is given up.
    if (this.buffer.length > 0) this.countDrops(this.buffer.dropOldest(this.buffer.length));
    if (this.flushing) this.countDrops(this.inFlight);
    this.reportDrops();
  }

  private async writeBuffered(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.take(this.options.batchSize);
      this.inFlight = batch.length;
      try {
        await this.writer.insert(batch);
        this.inFlight = 0;
        if (this.failing) this.logger.log('provisioning log: the database takes entries again');
        this.failing = false;
      } catch (error) {
        this.inFlight = 0;
        const sqlState = (error as { code?: unknown }).code;
        if (typeof sqlState === 'string' && PERMANENT_SQLSTATE.test(sqlState)) {
          // One entry the database cannot take must not cost the other entries of its batch.
          this.logger.error(`provisioning log: the database refused a batch (${sqlState}: ${String(error)}); writing its entries one by one`);
          await this.writeOneByOne(batch);
          continue;
        }
        // Unavailable: keep the batch (ahead of newer entries) and try again on the next tick.
        this.buffer.putBack(batch);
        this.capBuffer();
        if (!this.failing) this.logger.warn(`provisioning log: cannot write entries (${String(error)}); keeping up to ${this.options.maxBuffered} in memory`);
        this.failing = true;
        break;
      }
    }
    this.reportDrops();
  }

  private async writeOneByOne(batch: readonly ProvisioningLogEntry[]): Promise<void> {
    for (const entry of batch) {
      try {
        await this.writer.insert([entry]);
      } catch {
        this.countDrops(1);
      }
    }
  }

  private async flushWithin(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([this.flush(), timeout]);
    clearTimeout(timer);
  }

  /** Drop-oldest: while the database is down the newest requests are the ones an operator will ask about. */
  private capBuffer(): void {
    if (this.buffer.length > this.options.maxBuffered) this.countDrops(this.buffer.dropOldest(this.buffer.length - this.options.maxBuffered));
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.failing ? Math.max(RETRY_INTERVAL_MS, this.options.flushIntervalMs) : this.options.flushIntervalMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private countDrops(count: number): void {
    this.droppedTotal += count;
    this.droppedUnreported += count;
  }

  private reportDrops(): void {
    if (this.droppedUnreported === 0) return;
    this.logger.warn(`provisioning log: dropped ${this.droppedUnreported} entries (${this.droppedTotal} since start)`);
    this.droppedUnreported = 0;
  }
}

/** A FIFO whose push, take and drop-oldest cost O(1) amortised (Array#shift/splice at the front are O(n)). */
class EntryQueue {
  private entries: ProvisioningLogEntry[] = [];
  private head = 0;

  get length(): number {
    return this.entries.length - this.head;
  }

  push(entry: ProvisioningLogEntry): void {
    this.entries.push(entry);
  }

  take(count: number): ProvisioningLogEntry[] {
    const taken = this.entries.slice(this.head, this.head + count);
    this.advance(taken.length);
    return taken;
  }

  /** A batch that could not be written goes back in front of what arrived since. */
  putBack(batch: readonly ProvisioningLogEntry[]): void {
    this.entries = [...batch, ...this.entries.slice(this.head)];
    this.head = 0;
  }

  dropOldest(count: number): number {
    const dropped = Math.min(count, this.length);
    this.advance(dropped);
    return dropped;
  }

  private advance(count: number): void {
    this.head += count;
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
