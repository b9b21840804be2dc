import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { kafkaBrokersForTests, settledPublishedEvents, TopicCollector, uniqueTopicPrefix } from '#kafka/kafka.test-support.js';
import { ProvisioningWorkload } from '#kafka/provisioning-workload.test-support.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/projector/src/projector.main.js');

function skipReason(): string | null {
  if (!process.env.DATABASE_URL) return 'DATABASE_URL is not set (the projector and its advisory locks need a PostgreSQL server)';
  if (!existsSync(MAIN)) return `${path.relative(process.cwd(), MAIN)} is missing (npm run build first)`;
  return null;
}
const brokers = kafkaBrokersForTests('projector failover (kill -9)');
const reason = brokers ? skipReason() : 'KAFKA_BROKERS is not set';
if (brokers && reason) process.stderr.write(`skipped: projector failover (kill -9): ${reason}\n`);

interface ProjectorProcess {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<unknown>;
}

function startProjector(env: Record<string, string>): ProjectorProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PROJECTOR_PORT: '0', HOST: '127.0.0.1', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, context = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

(brokers && !reason ? describe : describe.skip)('projector failover: kill -9 of the active projector', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let collector: TopicCollector;
  const projectors: ProjectorProcess[] = [];
  const topicPrefix = uniqueTopicPrefix('failover');

  beforeAll(async () => {
    database = await testDatabases().find((backend) => backend.name === 'postgres')!.start();
    store = await PostgresEventStore.create(database.connectionString, { poolSize: 4 });
    collector = await TopicCollector.start(brokers!, topicPrefix);
  }, 120_000);

  afterAll(async () => {
    for (const projector of projectors) {
      if (projector.child.exitCode === null && projector.child.signalCode === null) projector.child.kill('SIGTERM');
      await projector.exited;
    }
    await collector?.stop();
    await store?.close();
    await database?.stop();
  }, 60_000);

  it('the standby takes over within seconds; Kafka gets every event, in order per key, duplicates at most', async () => {
    const env = { DATABASE_URL: database.connectionString, KAFKA_BROKERS: brokers!.join(','), KAFKA_TOPIC_PREFIX: topicPrefix };
    const kafkaProjection = `kafka.${topicPrefix}`;
    const active = startProjector(env);
    projectors.push(active);
    await until(() => active.output().includes(`projection ${kafkaProjection}: active`), 30_000, 'the first projector to become active', active.output);
    const standby = startProjector(env);
    projectors.push(standby);
    await until(() => standby.output().includes(`projection ${kafkaProjection}: standby`), 30_000, 'the second projector to stand by', standby.output);

    const workload = new ProvisioningWorkload(store, `failover-${Date.now()}`, 31337);
    const writing = (async () => {
      for (let i = 0; i < 300; i++) {
        await workload.step();
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // a steady stream, not one burst
      }
    })();
    // Kill while it is publishing, not before it has started.
    await until(() => collector.records.length >= 60, 30_000, 'the active projector to publish');
    active.child.kill('SIGKILL');
    const killedAt = Date.now();
    await active.exited;
    await until(() => standby.output().includes(`projection ${kafkaProjection}: active`), 20_000, 'the standby to take over', standby.output);
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(`standby took over ${takeoverSeconds.toFixed(1)} s after kill -9`);
    expect(takeoverSeconds).toBeLessThan(10);
    await writing;

    const expected = await settledPublishedEvents(store, database.connectionString);
    await collector.waitFor((records) => new Set(records.map((r) => r.event.id)).size >= expected.length, 60_000, 'every event');
    expect(collector.distinctEventIds()).toEqual(new Set(expected.map((event) => event.id)));
    const duplicates = collector.records.length - collector.distinctEventIds().size;
    console.log(`${expected.length} events, ${duplicates} published twice across the kill`);

    const seen = new Set<string>();
    const revisionsByKey = new Map<string, number[]>();
    for (const record of collector.records) {
      if (seen.has(record.event.id)) continue;
      seen.add(record.event.id);
      revisionsByKey.set(record.key, [...(revisionsByKey.get(record.key) ?? []), record.event.data.revision]);
    }
    for (const [key, revisions] of revisionsByKey) expect({ key, revisions }).toEqual({ key, revisions: revisions.map((_, i) => i) });

    // The read model moved over too: its users are the workload's users.
    const pool = new (await import('pg')).default.Pool({ connectionString: database.connectionString, max: 1 });
    try {
      await until(async () => {
        const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM scim_users WHERE tenant_id = $1', [workload.tenantId]);
        return rows[0].n === workload.users.size;
      }, 30_000, 'the read model to hold the workload users');
    } finally {
      await pool.end();
    }
  }, 240_000);
});
