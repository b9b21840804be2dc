import { randomBytes, randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { ensureTopics } from '#kafka/kafka-topics.js';
import type { ScimCloudEvent } from '#kafka/scim-cloud-event.js';
import { createStorage } from '../lib/backends.js';
import type { ScenarioContext } from '../lib/context.js';
import { entraUserBody, PATCH_OP } from '../lib/entra.js';
import { BENCH_TOKEN, GatewayProcess } from '../lib/gateway-process.js';
import { ScimClient } from '../lib/http-client.js';
import { benchKafka, deleteBenchTopics, uniqueBenchTopicPrefix, type KafkaBenchOptions, type KafkaLagResult } from '../lib/kafka-bench.js';
import { CpuMeter, loadAverage } from '../lib/proc.js';
import { summarise, type LatencySummary } from '../lib/stats.js';

const KINDS = { post: 'POST /Users', patch: 'PATCH /Users (displayName, title)' } as const;
// How long events may still arrive after the last write answered before a write counts as missing.
const DRAIN_MS = 15_000;
const PARTITIONS = 3;
// Requests in flight at most (open loop: more only queue in this process); far above what 200/s needs.
const MAX_SOCKETS = 64;

interface Write {
  kind: string;
  readonly scheduledAt: number;
  sentAt: number;
  respondedAt: number;
  /** `<resource id>:<revision>`: the CloudEvent's subject and data.revision the response implies. */
  key: string | null;
  readonly measured: boolean;
}

/**
 * (e) End-to-end lag (issue 5: p99 under 200 ms at 200 writes/s). The built gateway runs as its own process with
 * KAFKA_BROKERS (embedded mode: it runs the Kafka projection itself) on fresh storage and topics of the run's own.
 * A kafkajs consumer group in this process subscribes to both topics, as a downstream app would
 * (examples/downstream-subscriber: eachMessage, one partition at a time; maxWaitTimeInMs as given, default 100 ms,
 * minBytes 1). Then an open-loop load generator sends `lagRate` writes per second on a fixed schedule (not waiting
 * for answers): alternately POST /Users (a new user) and PATCH /Users/{id} (displayName and title of a user created
 * earlier). Each answer names the resource (`id`) and its revision (`meta.version` W/"n"); the CloudEvent for that
 * write is the one with `subject` = id and `data.revision` = n, on any partition. The lag of a write is from the end
 * of its HTTP response to the consumer's eachMessage for that event (both clocks in this process; negative when the
 * event arrived before the response, which the read-your-writes wait makes possible). The first `lagWarmupSeconds`
 * are not measured.
 */
export async function runKafkaLag(context: ScenarioContext, kafka: KafkaBenchOptions): Promise<KafkaLagResult> {
  const { backend, options } = context;
  const storage = await createStorage(backend, 'kafka_e', options.adminUrl);
  const topicPrefix = uniqueBenchTopicPrefix('lag');
  const loadBefore = loadAverage();
  const failureMessages: string[] = [];
  let failures = 0;
  const fail = (message: string) => {
    failures++;
    if (failureMessages.length < 10) failureMessages.push(message);
  };
  let gateway: GatewayProcess | null = null;
  let consumer: Consumer | null = null;
  const client = benchKafka(kafka.brokers, 'scim-bench-subscriber');
  try {
    // The topics as the gateway would create them, so the subscriber can join before the first write.
    const admin = client.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, { topicPrefix, partitions: PARTITIONS, replicationFactor: 1 }, { log: () => undefined, warn: context.log, error: context.log });
    } finally {
      await admin.disconnect();
    }

    // First arrival per `<id>:<revision>`: this process's clock, and for the breakdown the wall clock, the event's
    // `time` (when the gateway decided it) and the record's timestamp (when the gateway's producer sent it).
    const received = new Map<string, number>();
    const breakdown = new Map<string, { decided: number; sent: number; arrived: number }>();
    let receivedRecords = 0;
    consumer = client.consumer({ groupId: `bench-lag-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: kafka.consumerMaxWaitMs, minBytes: 1 });
    const joined = new Promise<void>((resolve) => consumer!.on(consumer!.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [`${topicPrefix}.users`, `${topicPrefix}.groups`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const at = performance.now();
        receivedRecords++;
        const event = JSON.parse(message.value!.toString('utf8')) as ScimCloudEvent;
        const key = `${event.subject}:${event.data.revision}`;
        if (!received.has(key)) {
          received.set(key, at); // a redelivery is not the first arrival
          breakdown.set(key, { decided: Date.parse(event.time), sent: Number(message.timestamp), arrived: Date.now() });
        }
      },
    });
    await joined;

    gateway = await GatewayProcess.start({
      label: `e/${backend}`,
      storageEnv: storage.gatewayEnv,
      extraEnv: { KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix, KAFKA_PARTITIONS: String(PARTITIONS) },
    });
    context.log(`gateway ready in ${(gateway.readyMs / 1000).toFixed(1)} s (${storage.description}); topics ${topicPrefix}.*`);
    const scim = new ScimClient(gateway.port, BENCH_TOKEN, MAX_SOCKETS, { scheduling: 'fifo' });

    const writes: Write[] = [];
    // Users whose POST answered and that no PATCH is changing now: a PATCH takes the one idle longest and gives it
    // back when answered, so two writes never race for one user (they would conflict, as in no real workload).
    const idle: string[] = [];
    const prefix = `lag${Date.now().toString(36)}`;
    const interval = 1000 / kafka.lagRate;
    const total = Math.round(kafka.lagRate * (kafka.lagWarmupSeconds + kafka.lagSeconds));
    const warmup = Math.round(kafka.lagRate * kafka.lagWarmupSeconds);
    const inFlight = new Set<Promise<void>>();
    const send = async (write: Write, index: number): Promise<void> => {
      try {
        let response;
        const id = write.kind === KINDS.patch ? idle.shift() : undefined;
        if (id === undefined) {
          write.kind = KINDS.post; // no user free to PATCH yet (only at the very start)
          const body = entraUserBody(index, { userName: `${prefix}.user${index}@contoso.com`, externalId: randomUUID(), workEmail: `${prefix}.user${index}.work@mail.contoso.com` });
          response = await scim.request('POST', '/scim/v2/Users', body);
          if (response.status === 201) idle.push((response.body as { id: string }).id);
        } else {
          const patch = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: `Lag User ${index}` }, { op: 'Replace', path: 'title', value: `Title ${index}` }] };
          response = await scim.request('PATCH', `/scim/v2/Users/${id}`, patch);
          idle.push(id);
        }
        write.respondedAt = performance.now();
        if (response.status !== 201 && response.status !== 200) {
          fail(`${write.kind}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
          return;
        }
        const resource = response.body as { id?: string; meta?: { version?: string } };
        const revision = /^W\/"(\d+)"$/.exec(resource.meta?.version ?? '')?.[1];
        if (!resource.id || revision === undefined) {
          fail(`${write.kind}: no id or meta.version in the answer`);
          return;
        }
        write.key = `${resource.id}:${revision}`;
      } catch (error) {
        fail(`${write.kind}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };

    context.log(`open loop: ${kafka.lagRate} writes/s for ${kafka.lagWarmupSeconds} s (warm-up) + ${kafka.lagSeconds} s; consumer maxWaitTimeInMs ${kafka.consumerMaxWaitMs}`);
    const cpu = new CpuMeter(gateway.pid);
    const started = performance.now();
    let measuredFrom = started;
    for (let index = 0; index < total; index++) {
      const scheduledAt = started + index * interval;
      const wait = scheduledAt - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      if (index === warmup) {
        measuredFrom = scheduledAt;
        cpu.start();
      }
      // A new user first, so PATCHes find one; then alternate.
      const write: Write = { kind: index % 2 === 0 ? KINDS.post : KINDS.patch, scheduledAt, sentAt: performance.now(), respondedAt: 0, key: null, measured: index >= warmup };
      writes.push(write);
      const pending = send(write, index).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    }
    const lastScheduled = started + total * interval;
    await Promise.all(inFlight);
    const cpuShares = cpu.stop();
    const loadEnded = performance.now();
    scim.close();

    // Drain: every answered write's event, or DRAIN_MS after the last answer.
    const answered = writes.filter((write) => write.key !== null);
    const drainDeadline = performance.now() + DRAIN_MS;
    while (answered.some((write) => !received.has(write.key!)) && performance.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 50));

    const measured = writes.filter((write) => write.measured);
    const lags: number[] = [];
    const lagsByKind = new Map<string, number[]>();
    let missing = 0;
    let matched = 0;
    for (const write of measured) {
      if (write.key === null) continue;
      const at = received.get(write.key);
      if (at === undefined) {
        missing++;
        continue;
      }
      matched++;
      lags.push(at - write.respondedAt);
      const list = lagsByKind.get(write.kind) ?? [];
      list.push(at - write.respondedAt);
      lagsByKind.set(write.kind, list);
    }
    if (missing > 0) fail(`${missing} answered writes never reached the subscriber within ${DRAIN_MS} ms`);
    const windowSeconds = (Math.max(lastScheduled, loadEnded) - measuredFrom) / 1000;
    const okMeasured = measured.filter((write) => write.key !== null).length;
    const projection: number[] = [];
    const delivery: number[] = [];
    for (const write of measured) {
      const parts = write.key === null ? undefined : breakdown.get(write.key);
      if (!parts) continue;
      projection.push(parts.sent - parts.decided);
      delivery.push(parts.arrived - parts.sent);
    }
    const lagByKind: Record<string, LatencySummary> = {};
    for (const [kind, list] of lagsByKind) lagByKind[kind] = summarise(list);
    context.log(`${receivedRecords} records received; ${matched} of ${okMeasured} measured writes matched`);
    return {
      scenario: 'e',
      backend,
      loadBefore,
      loadAfter: loadAverage(),
      targetRate: kafka.lagRate,
      seconds: windowSeconds,
      achievedRate: okMeasured / windowSeconds,
      writes: okMeasured,
      matched,
      missing,
      lag: summarise(lags),
      lagByKind,
      decidedToSent: summarise(projection),
      sentToArrived: summarise(delivery),
      writeLatency: summarise(measured.filter((write) => write.key !== null).map((write) => write.respondedAt - write.sentAt)),
      scheduleSlipMs: summarise(measured.map((write) => write.sentAt - write.scheduledAt)),
      consumer: { maxWaitTimeInMs: kafka.consumerMaxWaitMs, minBytes: 1, partitionsConsumedConcurrently: 1 },
      cpu: cpuShares,
      failures,
      failureMessages,
    };
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    if (gateway) {
      const stopped = await gateway.stop();
      if (stopped.exitCode !== 0 && stopped.exitCode !== null) context.log(`gateway exited with ${stopped.exitCode}:\n${gateway.logTail()}`);
    }
    await deleteBenchTopics(kafka.brokers, topicPrefix).catch((error: unknown) => context.log(`could not delete topics ${topicPrefix}.*: ${String(error)}`));
    await storage.dispose();
  }
}
