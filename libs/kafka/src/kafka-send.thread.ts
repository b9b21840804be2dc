import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KafkaConfig } from '#config/kafka.config.js';
import type { KafkaLogger } from './kafka.logger.js';

/** The worker's script, next to this module: present in the build (dist/), absent where the sources run (Jest). */
const WORKER_URL = new URL('./kafka-send.worker.js', import.meta.url);

export function kafkaSendThreadAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/** Data a send thread starts with. */
export interface KafkaSendThreadData {
  readonly config: KafkaConfig;
  readonly options: { readonly requestTimeoutMs?: number; readonly retries?: number };
}

/** Calling thread -> send thread. */
export type KafkaSendRequest =
  | { readonly type: 'send'; readonly id: number; readonly topicMessages: readonly { topic: string; messages: readonly { key: string; value: string }[] }[]; readonly count: number }
  | { readonly type: 'close' };

/** Send thread -> calling thread. */
export type KafkaSendReply =
  | { readonly type: 'sent'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'log'; readonly level: 'log' | 'warn' | 'error'; readonly message: string }
  | { readonly type: 'closed' };

/** A failed send reported by the thread; the publisher turns it into a KafkaPublishError. */
export class KafkaSendThreadError extends Error {
  override readonly name = 'KafkaSendThreadError';
}

/**
 * The calling side of ScimEventPublisher's send thread: starts the worker on the first send, hands it serialised
 * batches and resolves each when the worker's publisher got the broker's acknowledgement. The worker keeps the
 * process alive only while a send is pending. If the worker dies, every pending send fails (the caller retries
 * or stops as after a broker failure) and the next send starts a new worker, with a new producer.
 */
export class KafkaSendThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private closing: { resolve: () => void } | null = null;

  constructor(
    private readonly config: KafkaConfig,
    private readonly options: KafkaSendThreadData['options'],
    private readonly logger: KafkaLogger,
  ) {}

  send(topicMessages: Extract<KafkaSendRequest, { type: 'send' }>['topicMessages'], count: number): Promise<void> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ type: 'send', id, topicMessages, count } satisfies KafkaSendRequest);
    });
  }

  /** Disconnects the worker's producer and ends the thread (terminated if it does not end within 5 s). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const closed = new Promise<void>((resolve) => {
      this.closing = { resolve };
    });
    worker.postMessage({ type: 'close' } satisfies KafkaSendRequest);
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await Promise.race([closed, new Promise((resolve) => worker.once('exit', resolve))]);
    clearTimeout(timer);
    await worker.terminate();
    this.forget(worker, 'the Kafka send thread was closed');
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_URL, { workerData: { config: this.config, options: this.options } satisfies KafkaSendThreadData });
    worker.unref();
    worker.on('message', (reply: KafkaSendReply) => this.receive(reply));
    worker.on('error', (thrown: unknown) => {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      this.logger.error(`the Kafka send thread failed: ${error.message}`, error.stack);
      this.forget(worker, `the Kafka send thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => this.forget(worker, `the Kafka send thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private receive(reply: KafkaSendReply): void {
    switch (reply.type) {
      case 'log':
        if (reply.level === 'error') this.logger.error(reply.message);
        else if (reply.level === 'warn') this.logger.warn(reply.message);
        else this.logger.log(reply.message);
        return;
      case 'closed':
        this.closing?.resolve();
        this.closing = null;
        return;
      case 'sent':
      case 'failed': {
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (this.pending.size === 0) this.worker?.unref();
        if (reply.type === 'sent') waiter?.resolve();
        else waiter?.reject(new KafkaSendThreadError(reply.message));
        return;
      }
    }
  }

  /** The worker is gone (or going): its pending sends may or may not have reached the broker. */
  private forget(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const waiter of this.pending.values()) waiter.reject(new KafkaSendThreadError(reason));
    this.pending.clear();
    this.closing?.resolve();
    this.closing = null;
  }
}
