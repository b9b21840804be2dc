/**
 * What the libraries report to the metrics (docs/observability.md "Metrics"), as small interfaces passed into
 * them: libs/event-store and libs/kafka never import prom-client, a test hands in a recording double, and
 * METRICS_ENABLED=false hands in the no-op recorders below (one empty call per event, nothing else). The
 * prom-client side is metrics.ts. Label values here are closed sets: never ids, paths or error messages.
 */

/** How one attempt of the command loop (libs/event-store/src/command.loop.ts) ended. */
export type CommandAttemptOutcome =
  /** Appended (or had nothing to append): the command is done. */
  | 'committed'
  /** Another writer got there first (a stale cached state or a concurrent writer): a version conflict. */
  | 'conflict'
  /** A guess on a cached state that nothing checked, or a refusal made on one: decided again on fresh reads. */
  | 'unverified'
  /** A refusal (4xx) or a failure: the command ends with this error. */
  | 'failed';

export interface CommandMetrics {
  attempt(outcome: CommandAttemptOutcome): void;
  /** The loop starts another attempt after `reason`. */
  retry(reason: 'conflict' | 'unverified'): void;
  /** Every attempt conflicted: the command ends with 503 (ContentionError). */
  gaveUp(): void;
}

export type AppendOutcome = 'ok' | 'conflict' | 'error';

/** One call to appendToStream / appendToStreams of the event store, bound to its store label. */
export interface AppendMetrics {
  appended(seconds: number, outcome: AppendOutcome): void;
}

/** One batch of a ProjectionRunner (libs/event-store/src/projection.runner.ts). */
export interface ProjectionMetrics {
  /** A batch of `events` events was applied and checkpointed in `seconds`. */
  applied(projection: string, events: number, seconds: number): void;
  /** A batch failed (it is retried after a back-off). */
  failed(projection: string): void;
}

/** One publish of the Kafka projection (libs/kafka/src/scim-event.publisher.ts), measured on the calling thread. */
export interface KafkaPublishMetrics {
  /** The broker acknowledged `records` records after `seconds`. */
  published(records: number, seconds: number): void;
  failed(): void;
}

export const NO_COMMAND_METRICS: CommandMetrics = { attempt() {}, retry() {}, gaveUp() {} };
export const NO_APPEND_METRICS: AppendMetrics = { appended() {} };
export const NO_PROJECTION_METRICS: ProjectionMetrics = { applied() {}, failed() {} };
export const NO_KAFKA_PUBLISH_METRICS: KafkaPublishMetrics = { published() {}, failed() {} };
