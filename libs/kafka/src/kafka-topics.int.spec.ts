import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureTopics, scimTopics } from './kafka-topics.js';
import { kafkaBrokersForTests, uniqueTopicPrefix } from './kafka.test-support.js';
import type { KafkaLogger } from './kafka.logger.js';

const brokers = kafkaBrokersForTests('Kafka topic creation');

function recordingLogger(): KafkaLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(`log ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

(brokers ? describe : describe.skip)('ensureTopics against a real broker', () => {
  const kafka = new Kafka({ clientId: 'kafka-topics-int', brokers: brokers ?? [], logLevel: logLevel.NOTHING });
  let admin: Admin;
  const prefixes: string[] = [];
  const newPrefix = () => {
    const prefix = uniqueTopicPrefix('topics');
    prefixes.push(prefix);
    return prefix;
  };
  const partitionCounts = async (prefix: string) => {
    const metadata = await admin.fetchTopicMetadata({ topics: Object.values(scimTopics(prefix)) });
    return Object.fromEntries(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
  };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    const topics = prefixes.flatMap((prefix) => Object.values(scimTopics(prefix)));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates both topics with the configured partitions, ready to serve, and is idempotent', async () => {
    const prefix = newPrefix();
    const logger = recordingLogger();
    await ensureTopics(admin, { topicPrefix: prefix, partitions: 4, replicationFactor: 1 }, logger);
    expect(await partitionCounts(prefix)).toEqual({ [`${prefix}.users`]: 4, [`${prefix}.groups`]: 4 });
    // Every partition's leader answers at once: what a consumer starting now asks first.
    expect((await admin.fetchTopicOffsets(`${prefix}.groups`)).map((partition) => partition.high)).toEqual(['0', '0', '0', '0']);
    expect(logger.lines).toEqual([`log created Kafka topics ${prefix}.users, ${prefix}.groups (4 partitions, replication 1)`]);

    const again = recordingLogger();
    await ensureTopics(admin, { topicPrefix: prefix, partitions: 4, replicationFactor: 1 }, again);
    expect(again.lines).toEqual([]);
  });

  it('leaves an existing topic with fewer partitions as it is, with a warning naming it and KAFKA_PARTITIONS', async () => {
    const prefix = newPrefix();
    await admin.createTopics({ topics: [{ topic: `${prefix}.users`, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const logger = recordingLogger();
    await ensureTopics(admin, { topicPrefix: prefix, partitions: 3, replicationFactor: 1 }, logger);
    expect(await partitionCounts(prefix)).toEqual({ [`${prefix}.users`]: 1, [`${prefix}.groups`]: 3 });
    expect(logger.lines).toContain(`warn Kafka topic ${prefix}.users has 1 partitions, KAFKA_PARTITIONS says 3; left as it is`);
  });
});
