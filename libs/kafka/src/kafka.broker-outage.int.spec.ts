import { ProjectionRunner } from '#event-store/projection.runner.js';
import { createKafkaProjection, type KafkaProjectionHandle } from './kafka-projection.factory.js';
import { readModelCheckpointStore } from './projection-checkpoint.store.js';
import { ProvisioningWorkload } from './provisioning-workload.test-support.js';
import {
  kafkaBrokersForTests,
  openTestStack,
  OwnKafkaBroker,
  quietLogger,
  TopicCollector,
  uniqueTopicPrefix,
  type TestStack,
  settledPublishedEvents,
} from './kafka.test-support.js';

const brokers = kafkaBrokersForTests('Kafka broker outage (stops and restarts a broker of its own)');

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

(brokers ? describe : describe.skip)('Kafka projection through a broker outage', () => {
  let stack: TestStack;
  let broker: OwnKafkaBroker;
  let handle: KafkaProjectionHandle;
  let runner: ProjectionRunner;
  let collector: TopicCollector | undefined;
  const topicPrefix = uniqueTopicPrefix('outage');

  beforeAll(async () => {
    [stack, broker] = await Promise.all([openTestStack(), OwnKafkaBroker.start()]);
    handle = createKafkaProjection({
      config: { brokers: broker.brokers, topicPrefix, partitions: 3, replicationFactor: 1, clientId: 'outage-int' },
      eventStore: stack.store,
      checkpoints: readModelCheckpointStore(stack.dataSource),
      logger: quietLogger,
      lagCacheMs: 0,
      publisher: { retries: 2, requestTimeoutMs: 5_000 },
    });
    // The runner's failure lines are the expected symptom here; the test reads them from status() instead.
    runner = new ProjectionRunner(stack.store, handle.projection, { batchSize: 50, logger: { log: () => undefined, error: () => undefined } });
  }, 180_000);

  afterAll(async () => {
    await collector?.stop().catch(() => undefined);
    await runner?.stop();
    await handle?.close();
    await broker?.stop();
    await stack?.close();
  }, 60_000);

  it('keeps taking writes while the broker is down, shows the lag, then catches up with no gap and in order per key', async () => {
    const workload = new ProvisioningWorkload(stack.store, `outage-${Date.now()}`, 4242);
    await workload.run(40);
    await runner.start();
    await until(async () => (await handle.lag()).eventsBehind === 0, 30_000, 'the first events to be published');

    await broker.kill();
    const appendsBefore = (await settledPublishedEvents(stack.store, stack.database.connectionString)).length;
    await workload.run(60); // the event store does not care that Kafka is gone
    const appendedDuringOutage = (await settledPublishedEvents(stack.store, stack.database.connectionString)).length - appendsBefore;
    expect(appendedDuringOutage).toBeGreaterThan(50);

    await until(() => runner.status().lastError !== null, 60_000, 'the projection to report the outage');
    expect(runner.status().lastError).toMatch(/Kafka/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const lag = await handle.lag();
    expect(lag.eventsBehind).toBeGreaterThanOrEqual(appendedDuringOutage);
    expect(lag.secondsBehind).toBeGreaterThanOrEqual(1);
    console.log(`during the outage: ${lag.eventsBehind} events and ${lag.secondsBehind.toFixed(1)} s behind; runner: ${runner.status().lastError}`);

    const restartedAt = Date.now();
    await broker.restart();
    await workload.run(10); // and more while it catches up
    await until(async () => (await handle.lag()).eventsBehind === 0, 90_000, 'the projection to catch up');
    console.log(`caught up ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the broker restart began`);
    expect(runner.status().lastError).toBeNull();

    const expected = await settledPublishedEvents(stack.store, stack.database.connectionString);
    collector = await TopicCollector.start(broker.brokers, topicPrefix);
    await collector.waitFor((records) => new Set(records.map((r) => r.event.id)).size >= expected.length, 60_000, 'every event');
    expect(collector.distinctEventIds()).toEqual(new Set(expected.map((event) => event.id)));

    // Per key, first arrivals are revisions 0, 1, 2, ... : nothing lost, nothing reordered.
    const seen = new Set<string>();
    const revisionsByKey = new Map<string, number[]>();
    for (const record of collector.records) {
      if (seen.has(record.event.id)) continue;
      seen.add(record.event.id);
      revisionsByKey.set(record.key, [...(revisionsByKey.get(record.key) ?? []), record.event.data.revision]);
    }
    for (const [key, revisions] of revisionsByKey) expect({ key, revisions }).toEqual({ key, revisions: revisions.map((_, i) => i) });
  }, 300_000);
});
