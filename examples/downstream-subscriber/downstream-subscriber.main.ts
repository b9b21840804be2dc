import { DownstreamSubscriber } from './downstream-subscriber.js';

/**
 * Runs the example against the gateway's topics and prints each change:
 *   KAFKA_BROKERS=127.0.0.1:9092 node dist/examples/downstream-subscriber/downstream-subscriber.main.js
 */
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((broker) => broker.trim() !== '');
if (brokers.length === 0) {
  console.error('set KAFKA_BROKERS (and KAFKA_TOPIC_PREFIX if the gateway uses one other than "scim")');
  process.exit(2);
}
const subscriber = new DownstreamSubscriber({
  brokers,
  topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? 'scim',
  groupId: process.env.SUBSCRIBER_GROUP_ID ?? 'example-downstream-subscriber',
  onEvent: (event, outcome) => console.log(`${outcome.padEnd(9)} ${event.type} ${event.tenantid}:${event.subject} r${event.data.revision}`),
});
await subscriber.start();
const stop = async () => {
  await subscriber.stop();
  const { users, groups } = subscriber.directory;
  console.log(`local copy: ${users.size} users, ${groups.size} groups; events ${JSON.stringify(subscriber.outcomes)}`);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
