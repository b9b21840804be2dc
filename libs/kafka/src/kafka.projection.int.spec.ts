import { randomUUID } from 'node:crypto';
import { ProjectionRunner } from '#event-store/projection.runner.js';
import { comparePositions, formatPosition } from '#event-store/event-store.port.js';
import type { KafkaConfig } from '#config/kafka.config.js';
import { createKafkaProjection } from './kafka-projection.factory.js';
import { KafkaProjection, kafkaProjectionName } from './kafka.projection.js';
import { readModelCheckpointStore } from './projection-checkpoint.store.js';
import { CLOUD_EVENTS_CONTENT_TYPE, type ScimKafkaRecord } from './scim-cloud-event.js';
import { ScimEventPublisher, type ScimRecordSink } from './scim-event.publisher.js';
import { ProvisioningWorkload } from './provisioning-workload.test-support.js';
import {
  kafkaBrokersForTests,
  openTestStack,
  quietLogger,
  TopicCollector,
  uniqueTopicPrefix,
  type CollectedRecord,
  type TestStack,
  settledPublishedEvents,
} from './kafka.test-support.js';

const brokers = kafkaBrokersForTests('Kafka projection against a real broker');

/** Per key, the revisions in the order they arrived, duplicates dropped (as a consumer de-duplicating by id sees them). */
function revisionsPerKey(records: readonly CollectedRecord[]): Map<string, number[]> {
  const seen = new Set<string>();
  const perKey = new Map<string, number[]>();
  for (const record of records) {
    if (seen.has(record.event.id)) continue;
    seen.add(record.event.id);
    const revisions = perKey.get(record.key) ?? [];
    revisions.push(record.event.data.revision);
    perKey.set(record.key, revisions);
  }
  return perKey;
}

function expectEveryKeyInOrderWithoutGaps(records: readonly CollectedRecord[]): void {
  for (const [key, revisions] of revisionsPerKey(records)) {
    expect({ key, revisions }).toEqual({ key, revisions: revisions.map((_, index) => index) });
  }
}

/** Publishes, and on chosen calls throws after the broker acknowledged: a crash between send and checkpoint. */
class CrashAfterAcknowledgeSink implements ScimRecordSink {
  calls = 0;
  constructor(
    private readonly inner: ScimRecordSink,
    private readonly crashOnCalls: ReadonlySet<number>,
  ) {}
  async publish(records: readonly ScimKafkaRecord[]): Promise<void> {
    this.calls++;
    await this.inner.publish(records);
    if (this.crashOnCalls.has(this.calls)) throw new Error(`simulated crash after acknowledgement (call ${this.calls})`);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

(brokers ? describe : describe.skip)('Kafka projection on a real broker', () => {
  let stack: TestStack;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    stack = await openTestStack();
  }, 120_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await stack?.close();
  }, 60_000);

  function config(topicPrefix: string): KafkaConfig {
    return { brokers: brokers!, topicPrefix, partitions: 3, replicationFactor: 1, clientId: 'kafka-projection-int' };
  }

  async function collector(topicPrefix: string): Promise<TopicCollector> {
    const started = await TopicCollector.start(brokers!, topicPrefix);
    closers.push(() => started.stop());
    return started;
  }

  it('publishes every change once, as CloudEvents keyed <tenant>:<id>, in order per resource, and checkpoints the last', async () => {
    const topicPrefix = uniqueTopicPrefix('order');
    const workload = new ProvisioningWorkload(stack.store, `order-${Date.now()}`, 5150);
    await workload.run(150);
    const handle = createKafkaProjection({ config: config(topicPrefix), eventStore: stack.store, checkpoints: readModelCheckpointStore(stack.dataSource), logger: quietLogger });
    const runner = new ProjectionRunner(stack.store, handle.projection, { batchSize: 40, logger: quietLogger });
    closers.push(async () => {
      await runner.stop();
      await handle.close();
    });
    const consumed = await collector(topicPrefix);
    await runner.start();

    // A new projection (its own topics and checkpoint) publishes the whole log, earlier tests' events included.
    const expected = await settledPublishedEvents(stack.store, stack.database.connectionString);
    await consumed.waitFor((records) => records.length >= expected.length, 60_000, `${expected.length} records`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything extra would be a duplicate: give it time to show

    expect(consumed.records).toHaveLength(expected.length);
    expect(consumed.distinctEventIds()).toEqual(new Set(expected.map((event) => event.id)));
    for (const record of consumed.records) {
      expect(record.key).toBe(`${workload.tenantId}:${record.event.subject}`);
      expect(record.event.partitionkey).toBe(record.key);
      expect(record.event.source).toBe(`/tenants/${workload.tenantId}`);
      expect(record.contentType).toBe(CLOUD_EVENTS_CONTENT_TYPE);
      expect(record.topic).toBe(record.event.type.startsWith('scim.user.') ? `${topicPrefix}.users` : `${topicPrefix}.groups`);
    }
    expectEveryKeyInOrderWithoutGaps(consumed.records);
    expect(new Set(consumed.records.map((record) => record.partition)).size).toBeGreaterThan(1);
    const types = new Set(consumed.records.map((record) => record.event.type));
    for (const type of ['scim.user.created', 'scim.user.deactivated', 'scim.group.members_added', 'scim.group.members_removed']) {
      expect(types).toContain(type);
    }

    const checkpoint = await handle.projection.loadCheckpoint();
    expect(formatPosition(checkpoint)).toBe(formatPosition(expected[expected.length - 1].position));
    expect(await handle.lag()).toMatchObject({ eventsBehind: 0, secondsBehind: 0 });
  }, 120_000);

  it('a crash between acknowledgement and checkpoint republishes that batch (duplicates), never skips one; a restart resumes at the checkpoint', async () => {
    const topicPrefix = uniqueTopicPrefix('atleastonce');
    const tenantId = `alo-${Date.now()}`;
    const workload = new ProvisioningWorkload(stack.store, tenantId, 77);
    await workload.run(60);
    const checkpoints = readModelCheckpointStore(stack.dataSource);
    const name = kafkaProjectionName(topicPrefix);
    const publisher = new ScimEventPublisher(config(topicPrefix), quietLogger);
    closers.push(() => publisher.close());
    const crashing = new CrashAfterAcknowledgeSink(publisher, new Set([2, 4]));
    const projection = new KafkaProjection(crashing, checkpoints, stack.store, { name });
    const runner = new ProjectionRunner(stack.store, projection, { batchSize: 25, logger: quietLogger });
    const consumed = await collector(topicPrefix);
    await runner.start();

    const expected = await settledPublishedEvents(stack.store, stack.database.connectionString);
    await consumed.waitFor((records) => new Set(records.map((r) => r.event.id)).size >= expected.length, 60_000, 'every event');
    await runner.stop();

    const ids = consumed.records.map((record) => record.event.id);
    expect(new Set(ids)).toEqual(new Set(expected.map((event) => event.id)));
    expect(ids.length).toBeGreaterThan(new Set(ids).size); // the two crashed batches came twice
    expect(ids.length - new Set(ids).size).toBeLessThanOrEqual(2 * 25);
    expectEveryKeyInOrderWithoutGaps(consumed.records);
    const checkpoint = await checkpoints.load(name);
    expect(comparePositions(checkpoint, expected[expected.length - 1].position)).toBe(0);

    // Restart with a new producer: only what was appended since is published.
    const before = consumed.records.length;
    await workload.run(20);
    const restarted = new ProjectionRunner(stack.store, new KafkaProjection(publisher, checkpoints, stack.store, { name }), { batchSize: 25, logger: quietLogger });
    await restarted.start();
    const newEvents = (await settledPublishedEvents(stack.store, stack.database.connectionString)).filter((event) => comparePositions(event.position, checkpoint) > 0);
    await consumed.waitFor((records) => records.length >= before + newEvents.length, 60_000, 'the events appended after the restart');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await restarted.stop();
    expect(consumed.records.length).toBe(before + newEvents.length);
    // Across partitions the consumer's order is not the log's; per key it is (checked next).
    expect(new Set(consumed.records.slice(before).map((record) => record.event.id))).toEqual(new Set(newEvents.map((event) => event.id)));
    expectEveryKeyInOrderWithoutGaps(consumed.records);
  }, 120_000);

  it('publishes a PUT of a 60,000-member group (a record of several MB) as one members_replaced event', async () => {
    const topicPrefix = uniqueTopicPrefix('large');
    const tenantId = `large-${Date.now()}`;
    const groupId = randomUUID();
    const at = new Date().toISOString();
    const metadata = { tenantId, tokenId: null, requestId: null, correlationId: null, sourceIp: null, userAgent: null, occurredAt: at };
    const members = Array.from({ length: 60_000 }, () => ({ value: randomUUID(), type: 'User' as const }));
    await stack.store.appendToStream({
      streamName: `${tenantId}.group-${groupId}`,
      expectedRevision: 'no-stream',
      events: [
        { id: randomUUID(), type: 'GroupCreated', schemaVersion: 1, data: { groupId, attributes: { displayName: 'Everyone' }, at }, metadata },
        { id: randomUUID(), type: 'GroupMembersReplaced', schemaVersion: 1, data: { groupId, members, at }, metadata },
      ],
    });
    const handle = createKafkaProjection({ config: config(topicPrefix), eventStore: stack.store, checkpoints: readModelCheckpointStore(stack.dataSource), logger: quietLogger });
    const runner = new ProjectionRunner(stack.store, handle.projection, { logger: quietLogger });
    closers.push(async () => {
      await runner.stop();
      await handle.close();
    });
    const consumed = await collector(topicPrefix);
    await runner.start();
    await consumed.waitFor((records) => records.some((r) => r.event.type === 'scim.group.members_replaced' && r.key === `${tenantId}:${groupId}`), 60_000, 'the large event');
    const large = consumed.records.find((r) => r.key === `${tenantId}:${groupId}` && r.event.type === 'scim.group.members_replaced')!;
    expect((large.event.data.change as { members: unknown[] }).members).toHaveLength(60_000);
    expect(runner.status().lastError).toBeNull();
  }, 120_000);

  it('reports lag while events wait, from the stored checkpoint, and none once they are published', async () => {
    const topicPrefix = uniqueTopicPrefix('lag');
    const handle = createKafkaProjection({
      config: config(topicPrefix),
      eventStore: stack.store,
      checkpoints: readModelCheckpointStore(stack.dataSource),
      logger: quietLogger,
      lagCacheMs: 0,
    });
    closers.push(() => handle.close());
    const runner = new ProjectionRunner(stack.store, handle.projection, { logger: quietLogger });
    await runner.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runner.stop(); // caught up with everything the earlier tests wrote; now it stands still

    const workload = new ProvisioningWorkload(stack.store, `lag-${Date.now()}`, 9);
    await workload.run(10);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const checkpoint = await handle.projection.loadCheckpoint();
    const pending = (await settledPublishedEvents(stack.store, stack.database.connectionString)).filter((event) => comparePositions(event.position, checkpoint) > 0);
    const behind = await handle.lag();
    expect(pending.length).toBeGreaterThan(0);
    expect(behind).toMatchObject({ eventsBehind: pending.length, eventsBehindCapped: false, checkpoint: formatPosition(checkpoint) });
    expect(behind.secondsBehind).toBeGreaterThanOrEqual(1);

    await runner.start();
    const deadline = Date.now() + 30_000;
    while ((await handle.lag()).eventsBehind > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await runner.stop();
    expect(await handle.lag()).toMatchObject({ eventsBehind: 0, eventsBehindCapped: false, secondsBehind: 0 });
  }, 120_000);
});
