import { randomBytes } from 'node:crypto';
import { START } from '#event-store/event-store.port.js';
import { ProjectionRunner } from '#event-store/projection.runner.js';
import { createKafkaProjection, type KafkaProjectionHandle } from '#kafka/kafka-projection.factory.js';
import { replayToKafka } from '#kafka/kafka.replay.js';
import { kafkaBrokersForTests, openTestStack, quietLogger, settledPublishedEvents, uniqueTopicPrefix, type TestStack } from '#kafka/kafka.test-support.js';
import { readModelCheckpointStore } from '#kafka/projection-checkpoint.store.js';
import { ProvisioningWorkload } from '#kafka/provisioning-workload.test-support.js';
import { ScimEventPublisher } from '#kafka/scim-event.publisher.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';
import { DownstreamSubscriber } from './downstream-subscriber.js';
import type { ScimResource } from './scim-event.contract.js';

const brokers = kafkaBrokersForTests('downstream subscriber end to end');

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A resource as SCIM attributes: what the gateway stores, without the `id` and `meta` the representation adds. */
function attributesOf(resource: ScimResource): Record<string, unknown> {
  const { id: _id, meta: _meta, ...attributes } = resource;
  return attributes;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

(brokers ? describe : describe.skip)('downstream subscriber: a random provisioning workload end to end', () => {
  let stack: TestStack;
  let kafka: KafkaProjectionHandle;
  let runners: ProjectionRunner[] = [];
  let subscriber: DownstreamSubscriber;
  const topicPrefix = uniqueTopicPrefix('downstream');
  const delaysMs: number[] = [];

  beforeAll(async () => {
    stack = await openTestStack();
    kafka = createKafkaProjection({
      config: { brokers: brokers!, topicPrefix, partitions: 3, replicationFactor: 1, clientId: 'downstream-e2e' },
      eventStore: stack.store,
      checkpoints: readModelCheckpointStore(stack.dataSource),
      logger: quietLogger,
      lagCacheMs: 0,
    });
    // The gateway's projections as the embedded mode runs them: the read model and Kafka, side by side.
    runners = [new ReadModelProjection(stack.dataSource), kafka.projection].map(
      (projection) => new ProjectionRunner(stack.store, projection, { logger: quietLogger, idleWaitMs: 200 }),
    );
    for (const runner of runners) await runner.start();
    subscriber = new DownstreamSubscriber({
      brokers: brokers!,
      topicPrefix,
      groupId: `downstream-e2e-${randomBytes(4).toString('hex')}`,
      onEvent: (event, outcome) => {
        if (outcome === 'applied') delaysMs.push(Date.now() - Date.parse(event.time));
      },
    });
  }, 120_000);

  afterAll(async () => {
    await subscriber?.stop().catch(() => undefined);
    for (const runner of runners) await runner.stop();
    await kafka?.close();
    await stack?.close();
  }, 60_000);

  it("ends with the subscriber's copy equal to the workload's expected state and to the read model; a replay changes nothing", async () => {
    const seed = Number(process.env.WORKLOAD_SEED ?? Date.now() % 100_000);
    console.log(`workload seed ${seed} (set WORKLOAD_SEED to repeat it)`);
    const workload = new ProvisioningWorkload(stack.store, `tenant-${seed}`, seed);
    // A second tenant, interleaved, so keys and sources must keep tenants apart.
    const otherTenant = new ProvisioningWorkload(stack.store, `other-${seed}`, seed + 1);
    // Topics exist once the projection published something; subscribe after that, from the beginning.
    await workload.run(5);
    await until(async () => (await kafka.lag()).eventsBehind === 0, 30_000, 'the first events on Kafka');
    await subscriber.start();

    for (let i = 0; i < 250; i++) await (i % 5 === 4 ? otherTenant : workload).step();
    console.log(`operations: ${JSON.stringify(workload.counts)}`);

    const published = await settledPublishedEvents(stack.store, stack.database.connectionString);
    await until(
      () => subscriber.outcomes.applied >= published.length,
      60_000,
      () => `${published.length} events at the subscriber (outcomes: ${JSON.stringify(subscriber.outcomes)})`,
    );
    // The read model must have applied the head of the log (its `caughtUp` flag only says what its last read found).
    const head = await stack.store.headPosition();
    expect(await runners[0].waitForPosition(head, 30_000)).toBe(true);

    const { users, groups } = subscriber.directory;
    for (const expected of [workload, otherTenant]) {
      const t = expected.tenantId;
      const copyUsers = new Map([...users].filter(([key]) => key.startsWith(`${t}:`)).map(([key, user]) => [key.slice(t.length + 1), attributesOf(user)]));
      expect(copyUsers).toEqual(new Map([...expected.users].map(([id, attributes]) => [id, attributes])));
      const copyGroups = new Map(
        [...groups]
          .filter(([key]) => key.startsWith(`${t}:`))
          .map(([key, group]) => [key.slice(t.length + 1), { attributes: attributesOf(group.resource), memberIds: new Set(group.members.keys()) }]),
      );
      expect(copyGroups).toEqual(new Map([...expected.groups].map(([id, group]) => [id, { attributes: group.attributes, memberIds: new Set(group.memberIds) }])));

      // The same state as the gateway's read model (what GET /Users and /Groups answer from).
      const userRows: { id: string; attributes: Record<string, unknown> }[] = await stack.dataSource.query(
        'SELECT id::text AS id, attributes FROM scim_users WHERE tenant_id = $1',
        [t],
      );
      expect(new Map(userRows.map((row) => [row.id, row.attributes]))).toEqual(copyUsers);
      const groupRows: { id: string; attributes: Record<string, unknown> }[] = await stack.dataSource.query(
        'SELECT id::text AS id, attributes FROM scim_groups WHERE tenant_id = $1',
        [t],
      );
      const memberRows: { group_id: string; member_id: string }[] = await stack.dataSource.query(
        'SELECT group_id::text AS group_id, member_id FROM scim_group_members WHERE tenant_id = $1',
        [t],
      );
      const readModelGroups = new Map(
        groupRows.map((row) => [
          row.id,
          { attributes: row.attributes, memberIds: new Set(memberRows.filter((m) => m.group_id === row.id).map((m) => m.member_id)) },
        ]),
      );
      expect(readModelGroups).toEqual(copyGroups);
    }
    expect(subscriber.outcomes.duplicate + subscriber.outcomes.stale + subscriber.outcomes.ignored).toBe(0);
    const sorted = [...delaysMs].sort((a, b) => a - b);
    console.log(
      `decided-to-subscriber delay over ${sorted.length} events: p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms (sequential workload, idle wait 200 ms)`,
    );

    // Replay the whole history: every event arrives again and the subscriber drops each one; its copy stays.
    const before = { users: new Map(users), groups: new Map(groups) };
    const publisher = new ScimEventPublisher({ brokers: brokers!, topicPrefix, partitions: 3, replicationFactor: 1, clientId: 'downstream-replay' }, quietLogger);
    try {
      const replayed = await replayToKafka({ store: stack.store, sink: publisher, from: START, batchSize: 500 });
      expect(replayed.events).toBe(published.length);
    } finally {
      await publisher.close();
    }
    await until(
      () => subscriber.outcomes.duplicate >= published.length,
      60_000,
      () => `the ${published.length} replayed events at the subscriber (outcomes: ${JSON.stringify(subscriber.outcomes)})`,
    );
    expect(subscriber.outcomes.applied).toBe(published.length);
    expect(new Map(users)).toEqual(before.users);
    expect(new Map(groups)).toEqual(before.groups);
  }, 240_000);
});
