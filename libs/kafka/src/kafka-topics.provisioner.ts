import type { KafkaLogger } from './kafka.logger.js';

/** Where the start-up creation of the topics stands; /ready answers 503 until it is `created`. */
export type KafkaTopicsStatus =
  | { readonly state: 'creating' }
  | { readonly state: 'failing'; readonly reason: string; readonly attempts: number }
  | { readonly state: 'created' };

export interface KafkaTopicsProvisionerOptions {
  /** First pause after a failed attempt; doubles up to maxRetryMs. Default 500 ms. */
  readonly retryMs?: number;
  /** Longest pause between attempts while the broker cannot be reached. Default 10 s. */
  readonly maxRetryMs?: number;
}

// kafkajs's names for "no broker answered", directly or as the cause of its last retry.
const UNREACHABLE_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound']);

/**
 * Creates the topics when the process starts, before any write, so a downstream app may subscribe first
 * (DESIGN.md "Kafka": created at start, before /ready says ready). Without this a subscriber that comes first
 * gets UNKNOWN_TOPIC_OR_PARTITION, and a pattern subscription sees the topics only at its next metadata refresh
 * (five minutes for Java's consumer). It runs in the background and retries for as long as it fails: a broker
 * outage at start must not stop the gateway from serving SCIM, only delay the Kafka projection.
 */
export class KafkaTopicsProvisioner {
  private current: KafkaTopicsStatus = { state: 'creating' };
  private readonly stopped = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    /** Creates the topics if missing and readies the producer (ScimEventPublisher.prepare); idempotent. */
    private readonly ensureTopics: () => Promise<void>,
    private readonly logger: KafkaLogger,
    private readonly options: KafkaTopicsProvisionerOptions = {},
  ) {}

  /** Starts the attempts without waiting for them. */
  start(): void {
    this.loop ??= this.run();
  }

  status(): KafkaTopicsStatus {
    return this.current;
  }

  /** Why /ready must answer 503 (null once the topics exist), for an operator to act on. */
  notReadyReason(): string | null {
    switch (this.current.state) {
      case 'created':
        return null;
      case 'creating':
        return 'kafka: topics not created yet';
      case 'failing':
        return this.current.reason;
    }
  }

  /** Ends the attempts (an attempt in flight finishes first: kafkajs cannot cancel it, and its retries are bounded). */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopped.signal;
    let attempts = 0;
    while (!signal.aborted) {
      attempts++;
      try {
        await this.ensureTopics();
        if (attempts > 1) this.logger.log(`Kafka topics are ready after ${attempts} attempts`);
        this.current = { state: 'created' };
        return;
      } catch (error) {
        const reason = describeFailure(error);
        if (attempts === 1) this.logger.warn(`${reason}; retrying in the background (SCIM requests are served meanwhile)`);
        this.current = { state: 'failing', reason, attempts };
      }
      const pause = Math.min(this.options.maxRetryMs ?? 10_000, (this.options.retryMs ?? 500) * 2 ** Math.min(attempts - 1, 10));
      await sleep(pause, signal);
    }
  }
}

/** "kafka: broker unreachable (...)" when no broker answered, else what stopped the creation (rights, settings). */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return isUnreachable(error) ? `kafka: broker unreachable (${message})` : `kafka: topics could not be created (${message})`;
}

function isUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (UNREACHABLE_ERRORS.has(cause.name)) return true;
    // kafkajs's KafkaJSNumberOfRetriesExceeded keeps the last failure in `originalError`; Node's errors in `cause`.
    cause = (cause as { originalError?: unknown }).originalError ?? cause.cause;
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
