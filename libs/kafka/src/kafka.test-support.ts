import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { START, type GlobalPosition, type RecordedEvent } from '#event-store/event-store.port.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { openReadModelDataSource } from '#read-model/read-model.data-source.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import type { KafkaConfig } from '#config/kafka.config.js';
import { kafkaClientConfig } from './kafka-client.options.js';
import { ensureTopics, scimTopics } from './kafka-topics.js';
import type { KafkaLogger } from './kafka.logger.js';
import type { ScimCloudEvent } from './scim-cloud-event.js';
import { PUBLISHED_EVENT_TYPES } from './scim-cloud-event.mapper.js';

/**
 * Helpers for the suites that need a real broker (KAFKA_BROKERS, see scripts/kafka/start-kafka.sh). No Jest
 * globals here: a suite does `(brokers ? describe : describe.skip)(...)` with what kafkaBrokersForTests returns.
 */
export function kafkaBrokersForTests(suite: string): string[] | null {
  const brokers = process.env.KAFKA_BROKERS?.trim();
  if (!brokers) {
    // Straight to stderr: Jest swallows console output of a suite whose tests are all skipped.
    process.stderr.write(`skipped: ${suite}: KAFKA_BROKERS is not set (start a broker: eval "$(bash scripts/kafka/start-kafka.sh)")\n`);
    return null;
  }
  return brokers.split(',').map((broker) => broker.trim());
}

/** A user of the test broker's SASL_SSL listener (scripts/kafka/start-kafka.sh prints them). */
export interface TestSaslUser {
  readonly username: string;
  readonly password: string;
}

/** The test broker's SASL_SSL listener: TLS with a self-signed certificate, SASL PLAIN and SCRAM users. */
export interface SaslSslListenerForTests {
  readonly brokers: string[];
  /** PEM of the broker's self-signed certificate: the CA file a client must trust. */
  readonly caFile: string;
  /** Knows PLAIN only. */
  readonly plain: TestSaslUser;
  /** Has SCRAM-SHA-256 and SCRAM-SHA-512 credentials. */
  readonly scram: TestSaslUser;
}

/** The test broker's mutual-TLS listener: it requires the client certificate start-kafka.sh made. */
export interface MutualTlsListenerForTests {
  readonly brokers: string[];
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

function requiredVariables<const Names extends readonly string[]>(suite: string, names: Names): Record<Names[number], string> | null {
  const missing = names.filter((name) => !process.env[name]?.trim());
  if (missing.length > 0) {
    process.stderr.write(
      `skipped: ${suite}: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set (start a broker: eval "$(bash scripts/kafka/start-kafka.sh)")\n`,
    );
    return null;
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name]!.trim()])) as Record<Names[number], string>;
}

export function saslSslListenerForTests(suite: string): SaslSslListenerForTests | null {
  const env = requiredVariables(suite, [
    'KAFKA_SASL_SSL_BROKERS',
    'KAFKA_TEST_CA_FILE',
    'KAFKA_TEST_PLAIN_USERNAME',
    'KAFKA_TEST_PLAIN_PASSWORD',
    'KAFKA_TEST_SCRAM_USERNAME',
    'KAFKA_TEST_SCRAM_PASSWORD',
  ] as const);
  if (!env) return null;
  return {
    brokers: env.KAFKA_SASL_SSL_BROKERS.split(',').map((broker) => broker.trim()),
    caFile: env.KAFKA_TEST_CA_FILE,
    plain: { username: env.KAFKA_TEST_PLAIN_USERNAME, password: env.KAFKA_TEST_PLAIN_PASSWORD },
    scram: { username: env.KAFKA_TEST_SCRAM_USERNAME, password: env.KAFKA_TEST_SCRAM_PASSWORD },
  };
}

export function mutualTlsListenerForTests(suite: string): MutualTlsListenerForTests | null {
  const env = requiredVariables(suite, ['KAFKA_MTLS_BROKERS', 'KAFKA_TEST_CA_FILE', 'KAFKA_TEST_CLIENT_CERT_FILE', 'KAFKA_TEST_CLIENT_KEY_FILE'] as const);
  if (!env) return null;
  return {
    brokers: env.KAFKA_MTLS_BROKERS.split(',').map((broker) => broker.trim()),
    caFile: env.KAFKA_TEST_CA_FILE,
    certFile: env.KAFKA_TEST_CLIENT_CERT_FILE,
    keyFile: env.KAFKA_TEST_CLIENT_KEY_FILE,
  };
}

/** Polls `probe` every 100 ms until it answers something; fails naming `what` after `timeoutMs`. */
export async function untilDefined<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A topic prefix no other suite or run uses, so suites share one broker without seeing each other. */
export function uniqueTopicPrefix(suite: string): string {
  return `test.${suite}.${randomBytes(4).toString('hex')}`;
}

/** Quiet unless something is wrong; tests still see kafkajs's warnings. */
export const quietLogger: KafkaLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: (message) => console.error(message),
};

export interface CollectedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string;
  readonly contentType: string | undefined;
  /** The record's value as sent, for byte-for-byte comparisons. */
  readonly value: string;
  readonly event: ScimCloudEvent;
}

/**
 * Reads `<prefix>.users` and `<prefix>.groups` from the beginning with a consumer group of its own. Given a
 * configuration rather than brokers, it connects as the product does (its TLS and SASL settings).
 */
export class TopicCollector {
  readonly records: CollectedRecord[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(
    brokers: readonly string[] | Pick<KafkaConfig, 'brokers' | 'tls' | 'sasl'>,
    topicPrefix: string,
    partitions = 3,
  ): Promise<TopicCollector> {
    const config = 'brokers' in brokers ? brokers : { brokers };
    const kafka = new Kafka(kafkaClientConfig({ ...config, clientId: 'test-collector' }, { logLevel: logLevel.NOTHING }));
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, { topicPrefix, partitions, replicationFactor: 1 }, quietLogger);
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({ groupId: `collector-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 200 });
    const collector = new TopicCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: Object.values(scimTopics(topicPrefix)), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        collector.records.push({
          topic,
          partition,
          offset: BigInt(message.offset),
          key: message.key?.toString() ?? '',
          contentType: message.headers?.['content-type']?.toString(),
          value: message.value!.toString(),
          event: JSON.parse(message.value!.toString()) as ScimCloudEvent,
        });
      },
    });
    return collector;
  }

  /** Resolves once `done(records)` holds; rejects after `timeoutMs` saying what was awaited and what arrived. */
  async waitFor(done: (records: readonly CollectedRecord[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.records)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.records.length} records arrived`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  distinctEventIds(): Set<string> {
    return new Set(this.records.map((record) => record.event.id));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export interface TestStack {
  readonly store: PostgresEventStore;
  readonly dataSource: DataSource;
  readonly database: TestDatabase;
  /** 'postgres' when DATABASE_URL is set (a database of its own there), else in-memory 'pglite'. */
  readonly backend: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/** An event store and a migrated read model (for checkpoints) in a database of the suite's own. */
export async function openTestStack(): Promise<TestStack> {
  const backends = testDatabases();
  const backend = backends[backends.length - 1]; // the server when there is one: these suites are slow enough once
  const database = await backend.start({ maxConnections: 40 });
  const store = await PostgresEventStore.create(database.connectionString, { poolSize: 8 });
  const dataSource = await openReadModelDataSource({ connectionString: database.connectionString, poolSize: 4 });
  return {
    store,
    dataSource,
    database,
    backend: backend.name,
    async close() {
      await dataSource.destroy().catch(() => undefined);
      await store.close().catch(() => undefined);
      await database.stop();
    },
  };
}

const SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/kafka');

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A broker of the suite's own (scripts/kafka/start-kafka.sh on free ports and a temporary directory), for tests
 * that stop and restart it: the shared broker of KAFKA_BROKERS stays up for every other suite. The jars are the
 * ones the shared broker's start already fetched, so this takes seconds.
 */
export class OwnKafkaBroker {
  private constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly brokers: readonly string[],
    readonly root: string,
  ) {}

  static async start(): Promise<OwnKafkaBroker> {
    const port = await freeTcpPort();
    let controllerPort = await freeTcpPort();
    while (controllerPort === port) controllerPort = await freeTcpPort();
    const root = await mkdtemp(path.join(tmpdir(), 'scim-kafka-test-'));
    // PLAINTEXT only: no secured listeners (ports next to free ones are not known to be free, and they cost time).
    const env = {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_SASL_SSL_PORT: '0',
      KAFKA_MTLS_PORT: '0',
      KAFKA_ROOT: root,
      KAFKA_HEAP_OPTS: '-Xmx384m -Xms64m',
    };
    const broker = new OwnKafkaBroker(env, [`127.0.0.1:${port}`], root);
    await broker.script('start-kafka.sh');
    return broker;
  }

  /** SIGKILL: the broker vanishes as in a crash or a network cut. */
  kill(): Promise<void> {
    return this.script('stop-kafka.sh', '--kill');
  }

  /** Starts again on the data it had. */
  restart(): Promise<void> {
    return this.script('start-kafka.sh', '--keep-data');
  }

  async stop(): Promise<void> {
    await this.script('stop-kafka.sh', '--kill');
    await rm(this.root, { recursive: true, force: true });
  }

  private script(name: string, ...args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile('bash', [path.join(SCRIPTS, name), ...args], { env: this.env, timeout: 180_000 }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`${name} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve();
      });
    });
  }
}

/**
 * Every published event of the log, read once every event committed so far is readable. The log is read
 * gap-safely: a committed event stays unreadable while an older transaction is still open anywhere on the
 * server (a projection saving its checkpoint, say), so a count taken right after a workload could miss its last
 * events and a test would compare against too few. This waits until the newest stored event's transaction is
 * older than every running one, then reads.
 */
export async function settledPublishedEvents(
  store: Pick<PostgresEventStore, 'readAll'>,
  connectionString: string,
  timeoutMs = 30_000,
): Promise<RecordedEvent[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    for (const deadline = Date.now() + timeoutMs; ; ) {
      const { rows } = await client.query<{ settled: boolean }>(
        `SELECT coalesce((SELECT max(transaction_id) FROM event_store.events) < pg_snapshot_xmin(pg_current_snapshot()), true) AS settled`,
      );
      if (rows[0].settled) break;
      if (Date.now() > deadline) throw new Error(`the log's newest events were still held back after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.end();
  }
  const all: RecordedEvent[] = [];
  let after: GlobalPosition = START;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: 1000, eventTypes: PUBLISHED_EVENT_TYPES });
    if (batch.length === 0) return all;
    all.push(...batch);
    after = batch[batch.length - 1].position;
  }
}
