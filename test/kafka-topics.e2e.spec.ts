import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import request from 'supertest';
import { kafkaBrokersForTests, uniqueTopicPrefix, untilDefined } from '#kafka/kafka.test-support.js';
import type { ScimCloudEvent } from '#kafka/scim-cloud-event.js';
import { testDatabases, type TestDatabase, type TestDatabaseBackend } from '#testing/test-databases.js';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

/**
 * Issue 12: the Kafka topics exist once /ready answers 200, before any write, so a downstream app may subscribe
 * first; and a broker that cannot be reached makes /ready say so without stopping SCIM.
 */
const brokers = kafkaBrokersForTests('Kafka topics created at start');

const ready = (gateway: TestGateway) => request(gateway.app.getHttpServer()).get('/ready');

/** A gateway on in-memory PGlite, or on a database of its own on the PostgreSQL server (so reruns start empty). */
async function startGatewayOn(backend: TestDatabaseBackend['name'], env: Record<string, string>): Promise<TestGateway> {
  if (backend === 'pglite') return startTestGateway(env);
  const database: TestDatabase = await testDatabases().find((candidate) => candidate.name === 'postgres')!.start();
  const gateway = await startTestGateway({ ...env, DATABASE_URL: database.connectionString });
  return {
    ...gateway,
    async close() {
      await gateway.close();
      await database.stop();
    },
  };
}

describe.each(testDatabases().map((backend) => backend.name))('Kafka topics at start (%s)', (backend) => {
  (brokers ? describe : describe.skip)('with a reachable broker', () => {
    const topicPrefix = uniqueTopicPrefix('ready');
    const kafka = new Kafka({ clientId: 'kafka-topics-e2e', brokers: brokers ?? [], logLevel: logLevel.NOTHING });
    let gateway: TestGateway;
    let consumer: Consumer | undefined;
    const received: ScimCloudEvent[] = [];

    beforeAll(async () => {
      gateway = await startGatewayOn(backend, { KAFKA_BROKERS: brokers!.join(','), KAFKA_TOPIC_PREFIX: topicPrefix, KAFKA_PARTITIONS: '2' });
    });
    afterAll(async () => {
      await consumer?.disconnect();
      await gateway?.close();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [`${topicPrefix}.users`, `${topicPrefix}.groups`] }).catch(() => undefined);
      await admin.disconnect();
    });

    it('has created both topics with KAFKA_PARTITIONS, empty, once /ready answers 200', async () => {
      await untilDefined(async () => ((await ready(gateway)).status === 200 ? true : undefined), 60_000, '/ready to answer 200');
      const admin = kafka.admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [`${topicPrefix}.users`, `${topicPrefix}.groups`] });
        expect(metadata.topics.map((topic) => [topic.name, topic.partitions.length]).sort()).toEqual([
          [`${topicPrefix}.groups`, 2],
          [`${topicPrefix}.users`, 2],
        ]);
        // No write yet: the topics exist because of the start, not because something was published.
        const offsets = await admin.fetchTopicOffsets(`${topicPrefix}.users`);
        expect(offsets.map((partition) => partition.high)).toEqual(['0', '0']);
      } finally {
        await admin.disconnect();
      }
      expect((await ready(gateway)).body).toMatchObject({ status: 'ready', checks: { kafka: { topics: { state: 'created' } } } });
    });

    it('delivers the first write to a consumer that subscribed before it', async () => {
      await untilDefined(async () => ((await ready(gateway)).status === 200 ? true : undefined), 60_000, '/ready to answer 200');
      consumer = kafka.consumer({ groupId: `kafka-topics-e2e-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      // Without topics this subscribe fails with UNKNOWN_TOPIC_OR_PARTITION (the broker does not auto-create them).
      await consumer.subscribe({ topics: [`${topicPrefix}.users`], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(JSON.parse(message.value!.toString()) as ScimCloudEvent) });

      const created = await gateway.scim('post', '/scim/v2/Users', entraUser('first.subscriber@example.com'));
      expect(created.status).toBe(201);
      const event = await untilDefined(async () => received.find((e) => e.subject === created.body.id), 60_000, 'the scim.user.created event');
      expect(event).toMatchObject({ type: 'scim.user.created', data: { resource: { userName: 'first.subscriber@example.com' } } });
    });

    it('publishes users without `groups`, while GET shows them (docs/kafka.md "Users carry no groups")', async () => {
      const user = await gateway.scim('post', '/scim/v2/Users', entraUser('in.a.group@example.com'));
      const group = await gateway.scim('post', '/scim/v2/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Kafka readers',
        members: [{ value: user.body.id }],
      });
      expect(group.status).toBe(201);
      const patched = await gateway.scim('patch', `/scim/v2/Users/${user.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'In A Group' }],
      });
      expect(patched.status).toBe(200);
      const read = await gateway.scim('get', `/scim/v2/Users/${user.body.id}`);
      expect(read.body.groups).toEqual([expect.objectContaining({ value: group.body.id, display: 'Kafka readers' })]);

      const updated = await untilDefined(async () => received.find((e) => e.subject === user.body.id && e.type === 'scim.user.updated'), 60_000, 'the update');
      const records = received.filter((e) => e.subject === user.body.id);
      expect(records.map((e) => e.type)).toEqual(['scim.user.created', 'scim.user.updated']);
      expect(updated.data.resource).toMatchObject({ displayName: 'In A Group' });
      for (const record of records) expect(record.data.resource).not.toHaveProperty('groups');
    });
  });

  describe('with a broker that cannot be reached', () => {
    let gateway: TestGateway;

    beforeAll(async () => {
      // Port 1 on loopback: nothing listens, every connection is refused at once.
      gateway = await startGatewayOn(backend, { KAFKA_BROKERS: '127.0.0.1:1', KAFKA_TOPIC_PREFIX: 'unreachable' });
    });
    afterAll(async () => {
      await gateway?.close();
    }, 60_000);

    it('answers /ready 503 naming Kafka, and still serves SCIM writes and reads', async () => {
      const notReady = await untilDefined(
        async () => {
          const response = await ready(gateway);
          return response.status === 503 && (response.body.reasons as string[]).some((reason) => reason.startsWith('kafka: broker unreachable')) ? response : undefined;
        },
        60_000,
        '/ready to report the unreachable broker',
      );
      expect(notReady.body).toMatchObject({ status: 'not ready', checks: { eventStore: { status: 'up' }, kafka: { topics: { state: 'failing' } } } });
      expect(notReady.body.reasons).toEqual([expect.stringMatching(/^kafka: broker unreachable \(.+\)$/)]);

      const created = await gateway.scim('post', '/scim/v2/Users', entraUser('kafka.down@example.com'));
      expect(created.status).toBe(201);
      const read = await gateway.scim('get', `/scim/v2/Users/${created.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body.userName).toBe('kafka.down@example.com');
      expect((await request(gateway.app.getHttpServer()).get('/health')).status).toBe(200);
      expect((await ready(gateway)).status).toBe(503);
    }, 90_000);
  });
});
