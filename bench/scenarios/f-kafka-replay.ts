import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { START, type GlobalPosition } from '#event-store/event-store.port.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { PUBLISHED_EVENT_TYPES } from '#kafka/scim-cloud-event.mapper.js';
import { ScimRecordBuilder } from '#kafka/scim-record.builder.js';
import { createStorage } from '../lib/backends.js';
import type { ScenarioContext } from '../lib/context.js';
import { DIST_ROOT } from '../lib/gateway-process.js';
import { deleteBenchTopics, recordsOnTopics, uniqueBenchTopicPrefix, type KafkaBenchOptions, type KafkaReplayResult } from '../lib/kafka-bench.js';
import { seedKafkaLog } from '../lib/kafka-log-seed.js';
import { loadAverage, processCpuSeconds } from '../lib/proc.js';

const REPLAY_MAIN = path.join(DIST_ROOT, 'apps/projector/src/replay-kafka.main.js');

/**
 * (f) Replay to Kafka (issue 5: at least 10,000 events/s). Seeds a provisioning history (bench/lib/kafka-log-seed.ts)
 * into fresh storage, then runs `npm run replay:kafka` (the built replay-kafka.main.js) as a process of its own
 * against it, onto topics of the run's own, and takes the figure it prints (events over its seconds, start-up not
 * included) and the wall time. Before that, three diagnostic passes over the same log in this process show where
 * the time goes without a broker: reading the log, reading + building the records, and + JSON serialisation.
 * The seeded database is ANALYZEd first, as a store in use is. Afterwards the records on the topics are counted
 * (every published event must be there) and the topics deleted.
 */
export async function runKafkaReplay(context: ScenarioContext, kafka: KafkaBenchOptions): Promise<KafkaReplayResult> {
  const { backend, options } = context;
  const storage = await createStorage(backend, 'kafka_f', options.adminUrl);
  const loadBefore = loadAverage();
  const failureMessages: string[] = [];
  const topicPrefix = uniqueBenchTopicPrefix('replay');
  try {
    const direct = await storage.open(8);
    let seed;
    let analyzeMs = 0;
    let passes: { readOnly: number; readBuild: number; readBuildJson: number };
    try {
      context.log(`seeding ${kafka.replayUsers} users (created + 1 PATCH each) and ${kafka.replayGroups} groups of ${kafka.replayGroupSize} (${storage.description})`);
      seed = await seedKafkaLog(direct.connectionString, 'replay', { users: kafka.replayUsers, groups: kafka.replayGroups, groupSize: kafka.replayGroupSize });
      context.log(`seeded ${seed.publishedEvents} published events (${seed.storedEvents} stored) in ${(seed.ms / 1000).toFixed(1)} s`);
      // Statistics, as a store in use has them (the embedded gateway runs ANALYZE at start and every 10 minutes, a
      // server's autovacuum after large inserts). Without them PGlite reads this log at about 4,300 events/s
      // instead of 24,000 (docs/benchmarks-kafka.md).
      analyzeMs = await analyze(direct.connectionString);
      context.log(`ANALYZE took ${Math.round(analyzeMs)} ms`);
      passes = await diagnosticPasses(direct.connectionString, kafka.replayBatchSize);
      context.log(
        `diagnostic passes (no broker): read ${Math.round(passes.readOnly)} events/s, read+build ${Math.round(passes.readBuild)} events/s, read+build+JSON ${Math.round(passes.readBuildJson)} events/s`,
      );
    } finally {
      await direct.close(); // PGlite: the replay process opens the data directory itself
    }

    context.log(`load average ${loadAverage()}; replaying to ${topicPrefix}.*`);
    const replay = await runReplayProcess({ ...storage.gatewayEnv, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix }, kafka.replayBatchSize);
    context.log(`replay: ${replay.events} events in ${replay.seconds.toFixed(2)} s = ${Math.round(replay.eventsPerSecond)} events/s (wall ${replay.wallSeconds.toFixed(1)} s, CPU ${replay.cpuPercent ?? '?'} % of one core)`);
    const onTopics = await recordsOnTopics(kafka.brokers, topicPrefix);
    if (replay.events !== seed.publishedEvents) failureMessages.push(`the replay reported ${replay.events} events, ${seed.publishedEvents} were seeded`);
    if (onTopics !== seed.publishedEvents) failureMessages.push(`${onTopics} records on the topics, ${seed.publishedEvents} expected`);
    return {
      scenario: 'f',
      backend,
      loadBefore,
      loadAfter: loadAverage(),
      seed,
      analyzeMs,
      readOnlyEventsPerSecond: passes.readOnly,
      readBuildEventsPerSecond: passes.readBuild,
      readBuildJsonEventsPerSecond: passes.readBuildJson,
      replay,
      recordsOnTopics: onTopics,
      batchSize: kafka.replayBatchSize,
      failures: failureMessages.length,
      failureMessages,
    };
  } finally {
    await deleteBenchTopics(kafka.brokers, topicPrefix).catch((error: unknown) => context.log(`could not delete topics ${topicPrefix}.*: ${String(error)}`));
    await storage.dispose();
  }
}

async function analyze(connectionString: string): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('ANALYZE');
    return performance.now() - started;
  } finally {
    await client.end();
  }
}

/** Events per second of three passes over the whole published log, as replayToKafka reads it. */
async function diagnosticPasses(connectionString: string, batchSize: number): Promise<{ readOnly: number; readBuild: number; readBuildJson: number }> {
  const store = await PostgresEventStore.create(connectionString, { poolSize: 4 });
  try {
    const pass = async (work: (builder: ScimRecordBuilder, events: Awaited<ReturnType<typeof store.readAll>>) => Promise<void>): Promise<number> => {
      const builder = new ScimRecordBuilder(store);
      const started = performance.now();
      let after: GlobalPosition = START;
      let count = 0;
      for (;;) {
        const events = await store.readAll({ after, maxCount: batchSize, eventTypes: PUBLISHED_EVENT_TYPES });
        if (events.length === 0) break;
        await work(builder, events);
        count += events.length;
        after = events[events.length - 1].position;
      }
      return count / ((performance.now() - started) / 1000);
    };
    let sink = 0;
    const readOnly = await pass(async () => undefined);
    const readBuild = await pass(async (builder, events) => {
      const built = await builder.build(events);
      built.acknowledged();
      sink += built.records.length;
    });
    const readBuildJson = await pass(async (builder, events) => {
      const built = await builder.build(events);
      built.acknowledged();
      for (const record of built.records) sink += JSON.stringify(record.event).length;
    });
    if (sink < 0) throw new Error('unreachable'); // keeps the work observable
    return { readOnly, readBuild, readBuildJson };
  } finally {
    await store.close();
  }
}

async function runReplayProcess(env: Record<string, string>, batchSize: number): Promise<KafkaReplayResult['replay']> {
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(KAFKA_|EVENTSTORE|EVENT_STORE|DATABASE_|DATA_DIR|NODE_OPTIONS$)/.test(key)) continue;
    childEnv[key] = value;
  }
  Object.assign(childEnv, env);
  const started = performance.now();
  const child = spawn(process.execPath, [REPLAY_MAIN, '--from', 'start', '--batch-size', String(batchSize)], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let cpuSeconds: number | null = null;
  const sampler = setInterval(() => {
    cpuSeconds = processCpuSeconds(child.pid!) ?? cpuSeconds;
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearInterval(sampler);
  const wallSeconds = (performance.now() - started) / 1000;
  const match = /republished (\d+) events in ([\d.]+) s/.exec(output);
  if (code !== 0 || !match) throw new Error(`the replay exited with ${code}:\n${output.slice(-2000)}`);
  const events = Number(match[1]);
  const seconds = Number(match[2]);
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    wallSeconds,
    cpuPercent: cpuSeconds === null ? null : Math.round(((cpuSeconds as number) / wallSeconds) * 100),
    output: output.trim().split('\n').slice(-5).join('\n'),
  };
}
