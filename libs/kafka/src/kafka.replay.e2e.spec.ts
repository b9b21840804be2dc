import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { ProjectionRunner } from '#event-store/projection.runner.js';
import { openReadModelDataSource } from '#read-model/read-model.data-source.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import type { DataSource } from 'typeorm';
import { createKafkaProjection } from './kafka-projection.factory.js';
import { freeTcpPort, kafkaBrokersForTests, quietLogger, settledPublishedEvents, TopicCollector, uniqueTopicPrefix, type CollectedRecord } from './kafka.test-support.js';
import { readModelCheckpointStore } from './projection-checkpoint.store.js';
import { ProvisioningWorkload } from './provisioning-workload.test-support.js';

// The built replay command (npm run replay:kafka): from dist/, where ScimEventPublisher sends from its worker thread.
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist');
const MAIN = path.join(DIST, 'apps/projector/src/replay-kafka.main.js');
const WORKER = path.join(DIST, 'libs/kafka/src/kafka-send.worker.js');

function skipReason(): string | null {
  if (!process.env.DATABASE_URL) return 'DATABASE_URL is not set (the replay process connects to the test database on the server)';
  for (const file of [MAIN, WORKER]) if (!existsSync(file)) return `${path.relative(process.cwd(), file)} is missing (npm run build first)`;
  return null;
}
const brokers = kafkaBrokersForTests('replay:kafka as a process (send thread)');
const reason = brokers ? skipReason() : 'KAFKA_BROKERS is not set';
if (brokers && reason) process.stderr.write(`skipped: replay:kafka as a process (send thread): ${reason}\n`);

function runReplay(env: Record<string, string>, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

(brokers && !reason ? describe : describe.skip)('replay:kafka as a process, sending from its worker thread', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await testDatabases().find((backend) => backend.name === 'postgres')!.start();
    store = await PostgresEventStore.create(database.connectionString, { poolSize: 4 });
    dataSource = await openReadModelDataSource({ connectionString: database.connectionString, poolSize: 2 });
  }, 120_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await dataSource?.destroy().catch(() => undefined);
    await store?.close();
    await database?.stop();
  }, 60_000);

  it('republishes every event in order per key, each record the same bytes, key and header as the live projection sent', async () => {
    const workload = new ProvisioningWorkload(store, `replay-${Date.now()}`, 4242);
    await workload.run(200);
    const expected = await settledPublishedEvents(store, database.connectionString);

    // The live projection (inline sends) onto topics of its own.
    const livePrefix = uniqueTopicPrefix('replaylive');
    const live = await TopicCollector.start(brokers!, livePrefix);
    closers.push(() => live.stop());
    const handle = createKafkaProjection({
      config: { brokers: brokers!, topicPrefix: livePrefix, partitions: 3, replicationFactor: 1, clientId: 'replay-e2e-live' },
      eventStore: store,
      checkpoints: readModelCheckpointStore(dataSource),
      logger: quietLogger,
    });
    const runner = new ProjectionRunner(store, handle.projection, { batchSize: 37, logger: quietLogger });
    closers.push(async () => {
      await runner.stop();
      await handle.close();
    });
    await runner.start();
    await live.waitFor((records) => records.length >= expected.length, 60_000, `${expected.length} live records`);

    // The built replay command, small batches so that sends overlap with reads and builds many times over.
    const replayPrefix = uniqueTopicPrefix('replayed');
    const replayed = await TopicCollector.start(brokers!, replayPrefix);
    closers.push(() => replayed.stop());
    const { code, output } = await runReplay(
      { DATABASE_URL: database.connectionString, KAFKA_BROKERS: brokers!.join(','), KAFKA_TOPIC_PREFIX: replayPrefix, KAFKA_CLIENT_ID: 'replay-e2e' },
      ['--from', 'start', '--batch-size', '25'],
    );
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain(`republished ${expected.length} events`);
    await replayed.waitFor((records) => records.length >= expected.length, 60_000, `${expected.length} replayed records`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything more would be a duplicate: let it show

    expect(replayed.records).toHaveLength(expected.length);
    const byId = (records: readonly CollectedRecord[]) => new Map(records.map((record) => [record.event.id, record]));
    const liveById = byId(live.records);
    const replayedById = byId(replayed.records);
    expect(new Set(replayedById.keys())).toEqual(new Set(expected.map((event) => event.id)));
    for (const event of expected) {
      const [original, again] = [liveById.get(event.id)!, replayedById.get(event.id)!];
      expect({ key: again.key, contentType: again.contentType, value: again.value, partition: again.partition, kind: again.topic.slice(replayPrefix.length) }).toEqual({
        key: original.key,
        contentType: original.contentType,
        value: original.value,
        partition: original.partition,
        kind: original.topic.slice(livePrefix.length),
      });
    }
    // Per key, the replayed revisions arrive as the stream has them: 0, 1, 2, ... (one partition per key).
    const revisions = new Map<string, number[]>();
    for (const record of [...replayed.records].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
      revisions.set(record.key, [...(revisions.get(record.key) ?? []), record.event.data.revision]);
    }
    for (const [key, list] of revisions) expect({ key, list }).toEqual({ key, list: list.map((_, index) => index) });
  }, 180_000);

  it('fails (exit 1, saying why) when the send thread cannot reach a broker, rather than report a replay that did not happen', async () => {
    const workload = new ProvisioningWorkload(store, `replay-down-${Date.now()}`, 7);
    await workload.run(5);
    const deadBroker = `127.0.0.1:${await freeTcpPort()}`;
    const { code, output } = await runReplay(
      { DATABASE_URL: database.connectionString, KAFKA_BROKERS: deadBroker, KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('replaydown') },
      ['--from', 'start'],
    );
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`publishing \\d+ events to Kafka \\(${deadBroker.replace(/\./g, '\\.')}\\) failed`));
    expect(output).not.toContain('republished');
  }, 120_000);
});
