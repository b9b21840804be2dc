import type { Admin } from 'kafkajs';
import type { KafkaConfig } from '#config/kafka.config.js';
import type { KafkaLogger } from './kafka.logger.js';
import type { ScimTopicKind } from './scim-cloud-event.js';

/** Largest record the topics take: a PUT of a 100,000-member group is one ~6 MB members_replaced event. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Per-topic settings at creation. Records up to MAX_RECORD_BYTES (the broker default of 1 MB would stall the
 * projection on the first very large group). With replicas, acks=all waits for two of them, so one broker can fail
 * without losing an acknowledged event. Retention stays time-based: these are events, not a compacted state topic.
 */
function topicSettings(replicationFactor: number): { name: string; value: string }[] {
  return [
    { name: 'max.message.bytes', value: String(MAX_RECORD_BYTES) },
    { name: 'min.insync.replicas', value: replicationFactor > 1 ? '2' : '1' },
  ];
}

export function topicName(topicPrefix: string, kind: ScimTopicKind): string {
  return `${topicPrefix}.${kind}`;
}

export function scimTopics(topicPrefix: string): Record<ScimTopicKind, string> {
  return { users: topicName(topicPrefix, 'users'), groups: topicName(topicPrefix, 'groups') };
}

/**
 * Creates `<prefix>.users` and `<prefix>.groups` with the configured partitions and replication if they are
 * missing (DESIGN.md "Kafka"). An existing topic is left alone, even with another partition count: adding
 * partitions to a keyed topic moves keys and would break the order per resource, so that stays an operator's call.
 */
export async function ensureTopics(
  admin: Admin,
  config: Pick<KafkaConfig, 'topicPrefix' | 'partitions' | 'replicationFactor'>,
  logger: KafkaLogger,
): Promise<void> {
  const wanted = Object.values(scimTopics(config.topicPrefix));
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    // False (not an error) when another process created them in between: "already exists" is what we want.
    const created = await admin.createTopics({
      topics: missing.map((topic) => ({
        topic,
        numPartitions: config.partitions,
        replicationFactor: config.replicationFactor,
        configEntries: topicSettings(config.replicationFactor),
      })),
      waitForLeaders: true,
    });
    logger.log(
      created
        ? `created Kafka topics ${missing.join(', ')} (${config.partitions} partitions, replication ${config.replicationFactor})`
        : `Kafka topics ${missing.join(', ')} were created concurrently by another process`,
    );
    await untilPartitionsServe(admin, missing);
  }
  const metadata = await admin.fetchTopicMetadata({ topics: wanted });
  for (const topic of metadata.topics) {
    if (topic.partitions.length !== config.partitions) {
      logger.warn(
        `Kafka topic ${topic.name} has ${topic.partitions.length} partitions, KAFKA_PARTITIONS says ${config.partitions}; left as it is`,
      );
    }
  }
}

/**
 * Waits until each partition's leader answers ListOffsets. CreateTopics (even with waitForLeaders) returns before
 * every broker's metadata knows the new leaders: on Kafka 4.4 a ListOffsets right after it was refused with
 * NOT_LEADER_OR_FOLLOWER. Callers announce the topics as ready (/ready), so a consumer that starts then must find
 * them usable; clients would retry that error, but it should not be the first thing a subscriber sees.
 */
async function untilPartitionsServe(admin: Admin, topics: readonly string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}
