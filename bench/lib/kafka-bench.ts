import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { BackendName } from './backends.js';
import type { LatencySummary } from './stats.js';

/**
 * What the Kafka scenarios (e: end-to-end lag, f: replay throughput; issue 5) share: their options, results, and
 * the broker. They run only with KAFKA_BROKERS set; their results are kept apart from scenarios a-d (which write
 * docs/benchmarks.md) and are written up by hand in docs/benchmarks-kafka.md.
 */

export type KafkaScenarioName = 'e' | 'f';
export const KAFKA_SCENARIOS: readonly KafkaScenarioName[] = ['e', 'f'];

export interface KafkaBenchOptions {
  readonly brokers: readonly string[];
  /** e: SCIM writes per second (open loop), seconds of steady load, seconds of unmeasured warm-up. */
  readonly lagRate: number;
  readonly lagSeconds: number;
  readonly lagWarmupSeconds: number;
  /** e: the subscriber's fetch settings (kafkajs consumer maxWaitTimeInMs). */
  readonly consumerMaxWaitMs: number;
  /** f: the seeded log: users (created, then one PATCH each), groups (created, then one PATCH adding members). */
  readonly replayUsers: number;
  readonly replayGroups: number;
  readonly replayGroupSize: number;
  /** f: --batch-size of the replay command. */
  readonly replayBatchSize: number;
}

export interface KafkaLagResult {
  readonly scenario: 'e';
  readonly backend: BackendName;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly targetRate: number;
  readonly seconds: number;
  /** Writes answered 2xx over the measured window, per second of the window. */
  readonly achievedRate: number;
  readonly writes: number;
  /** Writes whose event reached the subscriber (matched by resource id and revision). */
  readonly matched: number;
  /** Writes whose event never arrived within the drain period after the load. */
  readonly missing: number;
  /** From the end of the HTTP response to the subscriber's eachMessage, per write. */
  readonly lag: LatencySummary;
  readonly lagByKind: Readonly<Record<string, LatencySummary>>;
  /**
   * Breakdown by wall clocks (same machine): the CloudEvent's `time` (the gateway decided the write) to the record's
   * timestamp (the gateway's producer sent it: the Kafka projection's part), and that to the subscriber's receipt
   * (the broker and the consumer's fetch).
   */
  readonly decidedToSent: LatencySummary;
  readonly sentToArrived: LatencySummary;
  /** The HTTP writes' own latency, for context. */
  readonly writeLatency: LatencySummary;
  /** How late the load generator sent (behind its schedule): large values mean it could not keep the pace. */
  readonly scheduleSlipMs: LatencySummary;
  readonly consumer: { readonly maxWaitTimeInMs: number; readonly minBytes: number; readonly partitionsConsumedConcurrently: number };
  readonly cpu: { readonly gatewayPercent: number; readonly postgresServerPercent: number; readonly loadGeneratorPercent: number; readonly machineBusyPercent: number };
  readonly failures: number;
  readonly failureMessages: readonly string[];
}

export interface KafkaReplayResult {
  readonly scenario: 'f';
  readonly backend: BackendName;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly seed: { readonly publishedEvents: number; readonly storedEvents: number; readonly ms: number };
  /** ANALYZE of the seeded database before the replay (a store in use has statistics). */
  readonly analyzeMs: number;
  /** Diagnostic passes in this process over the same log, no broker: read only; read + build records; + JSON. */
  readonly readOnlyEventsPerSecond: number;
  readonly readBuildEventsPerSecond: number;
  readonly readBuildJsonEventsPerSecond: number;
  /** `npm run replay:kafka` as a process: its own figure (events / its seconds) and the wall time incl. start-up. */
  readonly replay: { readonly events: number; readonly seconds: number; readonly eventsPerSecond: number; readonly wallSeconds: number; readonly cpuPercent: number | null; readonly output: string };
  /** Records found on the topics afterwards (sum of the partitions' end offsets). */
  readonly recordsOnTopics: number;
  readonly batchSize: number;
  readonly failures: number;
  readonly failureMessages: readonly string[];
}

export type KafkaScenarioResult = KafkaLagResult | KafkaReplayResult;

export function uniqueBenchTopicPrefix(scenario: string): string {
  return `bench.${scenario}.${randomBytes(4).toString('hex')}`;
}

export function benchKafka(brokers: readonly string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING });
}

/** Records on `<prefix>.users` and `<prefix>.groups`: the sum of their partitions' end offsets (new topics start at 0). */
export async function recordsOnTopics(brokers: readonly string[], topicPrefix: string): Promise<number> {
  const admin = benchKafka(brokers, 'scim-bench-admin').admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of [`${topicPrefix}.users`, `${topicPrefix}.groups`]) {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const partition of offsets) total += Number(partition.high) - Number(partition.low);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** The benchmark's topics are removed afterwards so runs do not fill the broker. */
export async function deleteBenchTopics(brokers: readonly string[], topicPrefix: string): Promise<void> {
  const admin = benchKafka(brokers, 'scim-bench-admin').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [`${topicPrefix}.users`, `${topicPrefix}.groups`].filter((topic) => existing.has(topic));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

export const KAFKA_OPTION_NAMES = [
  'kafka-rate', 'kafka-seconds', 'kafka-warmup-seconds', 'consumer-max-wait-ms',
  'replay-users', 'replay-groups', 'replay-group-size', 'replay-batch-size',
] as const;

/** The Kafka scenarios' options from the command line (`--quick`: small sizes); null without KAFKA_BROKERS. */
export function kafkaBenchOptions(values: ReadonlyMap<string, string>, quick: boolean, brokers: string | undefined): KafkaBenchOptions | null {
  const int = (key: (typeof KAFKA_OPTION_NAMES)[number], normal: number, small: number, minimum = 1): number => {
    const raw = values.get(key);
    if (raw === undefined) return quick ? small : normal;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < minimum) throw new Error(`--${key} must be an integer of at least ${minimum}`);
    return value;
  };
  const options: KafkaBenchOptions = {
    brokers: (brokers ?? '').split(',').map((broker) => broker.trim()).filter((broker) => broker.length > 0),
    lagRate: int('kafka-rate', 200, 100),
    lagSeconds: int('kafka-seconds', 60, 10),
    lagWarmupSeconds: int('kafka-warmup-seconds', 5, 2, 0),
    consumerMaxWaitMs: int('consumer-max-wait-ms', 100, 100),
    replayUsers: int('replay-users', 50_000, 3_000),
    replayGroups: int('replay-groups', 2_500, 150),
    replayGroupSize: int('replay-group-size', 20, 20, 0),
    replayBatchSize: int('replay-batch-size', 2_000, 2_000),
  };
  return options.brokers.length > 0 ? options : null;
}

const fmt = (value: number): string => (!Number.isFinite(value) ? '–' : value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0));

/** The console summary of the Kafka scenarios, with issue 5's targets. */
export function kafkaSummary(results: readonly KafkaScenarioResult[]): string {
  const lines: string[] = ['Kafka (issue 5):'];
  for (const result of results) {
    if (result.scenario === 'e') {
      const met = result.targetRate >= 200 && result.lag.p99 < 200 && result.achievedRate >= 0.95 * result.targetRate && result.missing === 0;
      lines.push(
        `  (e) ${result.backend}: ${fmt(result.achievedRate)} writes/s achieved (target rate ${result.targetRate}/s, ${result.writes} writes over ${fmt(result.seconds)} s); ` +
          `lag response -> subscriber p50 ${fmt(result.lag.p50)} / p99 ${fmt(result.lag.p99)} / max ${fmt(result.lag.max)} ms (${result.matched} matched, ${result.missing} missing); ` +
          `write p50 ${fmt(result.writeLatency.p50)} / p99 ${fmt(result.writeLatency.p99)} ms; schedule slip p99 ${fmt(result.scheduleSlipMs.p99)} ms; ` +
          `consumer maxWaitTimeInMs ${result.consumer.maxWaitTimeInMs}; CPU gateway ${result.cpu.gatewayPercent} %, machine ${result.cpu.machineBusyPercent} %; load ${result.loadBefore} -> ${result.loadAfter}` +
          ` — target p99 < 200 ms at 200 writes/s: ${met ? 'met' : 'NOT met'}`,
      );
      lines.push(`        breakdown: decided -> sent by the gateway p50 ${fmt(result.decidedToSent.p50)} / p99 ${fmt(result.decidedToSent.p99)} ms; sent -> received p50 ${fmt(result.sentToArrived.p50)} / p99 ${fmt(result.sentToArrived.p99)} ms`);
      for (const [kind, summary] of Object.entries(result.lagByKind)) lines.push(`        ${kind}: p50 ${fmt(summary.p50)} / p99 ${fmt(summary.p99)} / max ${fmt(summary.max)} ms (${summary.count})`);
    } else {
      lines.push(
        `  (f) ${result.backend}: replay ${Math.round(result.replay.eventsPerSecond)} events/s (${result.replay.events} events in ${result.replay.seconds} s, wall ${fmt(result.replay.wallSeconds)} s, ` +
          `CPU ${result.replay.cpuPercent ?? '?'} % of one core, batch ${result.batchSize}); without a broker: read ${Math.round(result.readOnlyEventsPerSecond)}, ` +
          `read+build ${Math.round(result.readBuildEventsPerSecond)}, read+build+JSON ${Math.round(result.readBuildJsonEventsPerSecond)} events/s; ` +
          `${result.recordsOnTopics} records on the topics; load ${result.loadBefore} -> ${result.loadAfter}` +
          ` — target 10,000 events/s: ${result.replay.eventsPerSecond >= 10_000 ? 'met' : 'NOT met'}`,
      );
    }
    if (result.failures > 0) lines.push(`      FAILURES: ${result.failureMessages.join(' | ')}`);
  }
  return lines.join('\n');
}
