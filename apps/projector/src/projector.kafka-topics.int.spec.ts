import { Kafka, logLevel } from 'kafkajs';
import { Logger } from '@nestjs/common';
import type { KafkaConfig } from '#config/kafka.config.js';
import { scimTopics } from '#kafka/kafka-topics.js';
import { kafkaBrokersForTests, uniqueTopicPrefix, untilDefined } from '#kafka/kafka.test-support.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { startProjector, type Projector } from './projector.runtime.js';
import { startProjectorStatusServer } from './projector.status-server.js';

/** The distributed projector creates the Kafka topics at start too, and its /ready waits for them (issue 12). */
const brokers = kafkaBrokersForTests('projector creates the Kafka topics at start');
const server = testDatabases().find((backend) => backend.name === 'postgres');
if (brokers && !server) process.stderr.write('skipped: projector creates the Kafka topics at start: DATABASE_URL is not set (the projector needs a PostgreSQL server)\n');

(brokers && server ? describe : describe.skip)('projector: Kafka topics at start', () => {
  let database: TestDatabase;
  const running: { projector: Projector; status: { port: number; close(): Promise<void> } }[] = [];
  const topicPrefix = uniqueTopicPrefix('projector');
  const kafka = new Kafka({ clientId: 'projector-topics-int', brokers: brokers ?? [], logLevel: logLevel.NOTHING });

  const start = async (kafkaConfig: KafkaConfig) => {
    const projector = await startProjector({
      databaseUrl: database.connectionString,
      databasePoolSize: 4,
      eventStore: 'postgres',
      eventStoreUrl: undefined,
      logLevel: 'error',
      logFormat: 'text',
      host: '127.0.0.1',
      port: 0,
      lockRetryMs: 500,
      longStatementTimeoutMs: 120_000,
      kafka: kafkaConfig,
      metricsEnabled: true,
      metricsTenantLabel: false,
    });
    const status = await startProjectorStatusServer(projector, '127.0.0.1', 0);
    running.push({ projector, status });
    return async () => {
      const response = await fetch(`http://127.0.0.1:${status.port}/ready`);
      return { status: response.status, body: (await response.json()) as { reasons?: string[]; kafka?: unknown } };
    };
  };

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    database = await server!.start();
  });
  afterAll(async () => {
    for (const { projector, status } of running) {
      await status.close();
      await projector.stop();
    }
    await database?.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(scimTopics(topicPrefix)) }).catch(() => undefined);
    await admin.disconnect();
  }, 60_000);

  it('creates both topics with KAFKA_PARTITIONS before its /ready answers 200', async () => {
    const ready = await start({ brokers: brokers!, topicPrefix, partitions: 2, replicationFactor: 1, clientId: 'projector-topics-int' });
    const answer = await untilDefined(async () => {
      const response = await ready();
      return response.status === 200 ? response : undefined;
    }, 60_000, 'the projector to be ready');
    expect(answer.body.kafka).toEqual({ topics: { state: 'created' } });
    // Its registry at /metrics: this replica's role and the lag of both projections, measured from their checkpoints.
    const metrics = await (await fetch(`http://127.0.0.1:${running.at(-1)!.status.port}/metrics`)).text();
    expect(metrics).toMatch(/^scim_projector_active\{projection="read-model"\} [01]$/m);
    expect(metrics).toMatch(new RegExp(`^scim_projection_events_behind\\{projection="kafka\\.${topicPrefix}"\\} \\d+$`, 'm'));
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: Object.values(scimTopics(topicPrefix)) });
      expect(metadata.topics.map((topic) => topic.partitions.length)).toEqual([2, 2]);
    } finally {
      await admin.disconnect();
    }
  });

  it('answers /ready 503 naming Kafka while the broker cannot be reached', async () => {
    const ready = await start({ brokers: ['127.0.0.1:1'], topicPrefix: 'unreachable', partitions: 1, replicationFactor: 1, clientId: 'projector-topics-int' });
    const answer = await untilDefined(async () => {
      const response = await ready();
      return response.status === 503 && response.body.reasons?.some((reason) => reason.startsWith('kafka: broker unreachable')) ? response : undefined;
    }, 60_000, '/ready to name the unreachable broker');
    expect(answer.body.reasons).toEqual([expect.stringMatching(/^kafka: broker unreachable \(.+\)$/)]);
  });
});
