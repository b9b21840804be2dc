import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { streamNames } from '#domain/stream-names.js';
import { startTracing } from '#observability/tracing.js';
import { undoUniqueKeyEvents, uniqueKeyDecider } from '#domain/unique-key/unique-key.decider.js';
import { userDecider } from '#domain/user/user.decider.js';
import { verifyTenantChains } from './audit/chain-verifier.js';
import { eventHash } from './audit/event-hash.js';
import type { CommandMetrics } from '#observability/metrics.recorders.js';
import { decision, runCommand } from './command.loop.js';
import type { EventMetadata, EventStore, RecordedEvent } from './event-store.port.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb.event-store.js';
import { InMemoryEventStoreDbServer } from './eventstoredb/eventstoredb-fake.test-support.js';
import { StreamStateCache } from './stream-state.cache.js';

// The hash chain the command loop writes (docs/audit-format.md), over the EventStoreDB adapter on its in-memory
// server model: the one store that appends compensation events, which must continue the chain.
const TENANT = 'acme';
const AT = '2025-01-01T00:00:00.000Z';
const METADATA: EventMetadata = {
  tenantId: TENANT,
  tokenId: 'tok-1',
  requestId: 'req-1',
  correlationId: null,
  sourceIp: '10.0.0.1',
  userAgent: 'test',
  occurredAt: AT,
};
const USER_ID = '11111111-1111-4111-8111-111111111111';
const userStream = streamNames.user(TENANT, USER_ID);

function expectChained(events: readonly RecordedEvent[]): void {
  events.forEach((event, index) => {
    expect(event.revision).toBe(BigInt(index));
    expect(event.metadata.previousHash).toBe(index === 0 ? null : events[index - 1].metadata.hash);
    expect(event.metadata.hash).toBe(eventHash(event));
  });
}

describe('runCommand: the hash chain', () => {
  let server: InMemoryEventStoreDbServer;
  let store: EventStore;

  beforeEach(() => {
    server = new InMemoryEventStoreDbServer();
    store = new EventStoreDbEventStore(server.connect(), { log: () => undefined });
  });
  afterEach(async () => {
    await store.close();
  });

  const create = (cache?: StreamStateCache) =>
    runCommand(store, METADATA, async () => [decision(userStream, userDecider, { type: 'CreateUser', userId: USER_ID, attributes: { userName: 'ann' }, at: AT })], {
      cache,
    });
  const rename = (userName: string, cache?: StreamStateCache) =>
    runCommand(
      store,
      METADATA,
      async () => [decision(userStream, userDecider, { type: 'ReplaceUser', userId: USER_ID, attributes: { userName }, at: AT })],
      { cache },
    );

  it('chains every event to the previous one of its stream, starting from null', async () => {
    await create();
    await rename('bob');
    await rename('cat');
    const events = await store.readStream(userStream);
    expect(events).toHaveLength(3);
    expectChained(events);
    const verification = await verifyTenantChains(store, TENANT);
    expect(verification).toMatchObject({ ok: true, eventsChecked: 3, streamsChecked: 1, problemCount: 0 });
  });

  it('reports the last hash, and keeps it in the cache with the state it belongs to', async () => {
    const cache = new StreamStateCache();
    const created = await create(cache);
    const [first] = await store.readStream(userStream);
    expect(created.streams.get(userStream)!.lastHash).toBe(first.metadata.hash);
    expect(cache.get(userStream, userDecider)).toMatchObject({ revision: 0n, lastHash: first.metadata.hash });

    // Nothing to read after the cached revision: the new event chains to the cached hash.
    await rename('bob', cache);
    // Another writer, without this cache: the cached writer reads its event and chains to it.
    await rename('cat');
    await rename('dan', cache);
    const events = await store.readStream(userStream);
    expectChained(events);
    expect(cache.get(userStream, userDecider)).toMatchObject({ revision: 3n, lastHash: events[3].metadata.hash });
  });

  it('a command that records nothing leaves the hash as it was', async () => {
    const cache = new StreamStateCache();
    await create(cache);
    const outcome = await rename('ann', cache);
    const [only] = await store.readStream(userStream);
    expect(outcome.streams.get(userStream)).toMatchObject({ revision: 0n, lastHash: only.metadata.hash, eventIds: [] });
  });

  it('continues the chain through compensation events and the retry after them', async () => {
    const cache = new StreamStateCache();
    await create(cache);
    const keyStream = streamNames.uniqueKey(TENANT, 'userName', 'bob');
    // Another writer changes the user between the adapter's pre-check and its append, after the reservation
    // was written: the adapter compensates the reservation, and the command loop retries.
    server.beforeAppend = async (streamName) => {
      if (streamName !== userStream) return;
      server.beforeAppend = null;
      await rename('zed');
    };
    await runCommand(
      store,
      METADATA,
      async () => [
        decision(userStream, userDecider, { type: 'ReplaceUser', userId: USER_ID, attributes: { userName: 'bob' }, at: AT }),
        decision(keyStream, uniqueKeyDecider, { type: 'ReserveUniqueKey', kind: 'userName', key: 'bob', ownerId: USER_ID, at: AT }, { compensate: undoUniqueKeyEvents }),
      ],
      { cache },
    );

    const keyEvents = await store.readStream(keyStream);
    expect(keyEvents.map((event) => event.type)).toEqual(['UniqueKeyReserved', 'UniqueKeyReleased', 'UniqueKeyReserved']);
    expectChained(keyEvents);
    const userEvents = await store.readStream(userStream);
    expect(userEvents.map((event) => (event.data as { attributes?: { userName: string } }).attributes?.userName)).toEqual(['ann', 'zed', 'bob']);
    expectChained(userEvents);
    expect(cache.get(keyStream, uniqueKeyDecider)).toMatchObject({ revision: 2n, lastHash: keyEvents[2].metadata.hash });
    expect(await verifyTenantChains(store, TENANT)).toMatchObject({ ok: true, eventsChecked: 6, streamsChecked: 2 });
  });

  it('chains after events recorded before the chain existed, which verify reports as unchained', async () => {
    await store.appendToStream({
      streamName: userStream,
      expectedRevision: 'no-stream',
      events: [{ id: '22222222-2222-4222-8222-222222222222', type: 'UserCreated', schemaVersion: 1, data: { userId: USER_ID, attributes: { userName: 'ann' }, at: AT }, metadata: METADATA }],
    });
    await rename('bob');
    await rename('cat');
    const events = await store.readStream(userStream);
    expect(events[1].metadata.previousHash).toBeNull();
    expect(events[2].metadata.previousHash).toBe(events[1].metadata.hash);
    const verification = await verifyTenantChains(store, TENANT);
    expect(verification).toMatchObject({ ok: false, eventsChecked: 3, problemCount: 1, problemCounts: { unchained: 1, 'broken-link': 0 } });
    expect(verification.problems[0]).toMatchObject({ kind: 'unchained', revision: '0', streamName: userStream });
  });
});

/** Counts what the command loop asks of the store; `failAppend` makes the next append fail like a lost connection. */
class CountingStore {
  reads = 0;
  appends = 0;
  failAppend: Error | null = null;

  constructor(private readonly inner: EventStore) {}

  wrap(): EventStore {
    const inner = this.inner;
    return new Proxy(inner, {
      get: (target, property, receiver) => {
        if (property === 'readStream' || property === 'readStreams') {
          return (...args: unknown[]) => {
            this.reads++;
            return (Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        if (property === 'appendToStream' || property === 'appendToStreams') {
          return (...args: unknown[]) => {
            this.appends++;
            const failure = this.failAppend;
            this.failAppend = null;
            if (failure) return Promise.reject(failure);
            return (Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
  }
}

describe('runCommand with a cache: the first attempt decides on guessed states', () => {
  let server: InMemoryEventStoreDbServer;
  let inner: EventStore;
  let counting: CountingStore;
  let store: EventStore;
  let cache: StreamStateCache;

  beforeEach(() => {
    server = new InMemoryEventStoreDbServer();
    inner = new EventStoreDbEventStore(server.connect(), { log: () => undefined });
    counting = new CountingStore(inner);
    store = counting.wrap();
    cache = new StreamStateCache();
  });
  afterEach(async () => {
    await inner.close();
  });

  const keyStream = (userName: string) => streamNames.uniqueKey(TENANT, 'userName', userName);
  const createWithKey = (userName: string, withCache: StreamStateCache | undefined, userId = USER_ID) =>
    runCommand(
      store,
      METADATA,
      async () => [
        decision(streamNames.user(TENANT, userId), userDecider, { type: 'CreateUser', userId, attributes: { userName }, at: AT }),
        decision(keyStream(userName), uniqueKeyDecider, { type: 'ReserveUniqueKey', kind: 'userName', key: userName, ownerId: userId, at: AT }),
      ],
      { cache: withCache },
    );
  const replace = (userName: string, withCache: StreamStateCache | undefined) =>
    runCommand(
      store,
      METADATA,
      async (loader) => {
        await loader.load(userStream, userDecider);
        return [decision(userStream, userDecider, { type: 'ReplaceUser', userId: USER_ID, attributes: { userName }, at: AT })];
      },
      { cache: withCache },
    );

  it('creates a new resource and its reservation without reading: one round trip, the append', async () => {
    const outcome = await createWithKey('ann', cache);
    expect(counting).toMatchObject({ reads: 0, appends: 1 });
    expect(outcome.streams.get(userStream)).toMatchObject({ revision: 0n });
    expect(await inner.readStream(keyStream('ann'))).toHaveLength(1);
  });

  it('changes a cached stream without reading it', async () => {
    await createWithKey('ann', cache);
    const outcome = await replace('bob', cache);
    expect(counting).toMatchObject({ reads: 0, appends: 2 });
    expect(outcome.streams.get(userStream)).toMatchObject({ revision: 1n });
    expectChained(await inner.readStream(userStream));
  });

  it('a stale cached state costs a refused append, then the command decides on fresh reads', async () => {
    await createWithKey('ann', cache);
    await replace('zed', undefined); // another writer: the cache still says revision 0
    counting.reads = 0;
    counting.appends = 0;
    const outcome = await replace('bob', cache);
    expect(counting.appends).toBe(2); // the guess (refused: the stream is at 1) and the decision on the read state
    expect(counting.reads).toBeGreaterThan(0);
    expect(outcome.streams.get(userStream)).toMatchObject({ revision: 2n });
    const events = await inner.readStream(userStream);
    expect(events.map((event) => (event.data as { attributes: { userName: string } }).attributes.userName)).toEqual(['ann', 'zed', 'bob']);
    expectChained(events);
  });

  it('traced: the command span counts the attempts and records the conflict; each attempt\'s append and read is a child span', async () => {
    await createWithKey('ann', cache);
    await replace('zed', undefined); // the cache still says revision 0
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ enabled: true, exporters: [], otlpUrl: null, serviceName: 'test', resourceAttributes: {}, sampler: { kind: 'always_on' } }, exporter);
    let spans;
    try {
      await replace('bob', cache);
      spans = exporter.getFinishedSpans(); // before the shutdown, which empties the in-memory exporter
    } finally {
      await tracing.shutdown();
    }
    const command = spans.find((span) => span.name === 'command')!;
    expect(command.attributes).toMatchObject({ 'scim.command.attempts': 2, 'scim.stream.names': [userStream], 'scim.stream.revisions': ['2'], 'scim.command.events': 1 });
    expect(command.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'version_conflict',
        { 'scim.command.attempt': 1, 'scim.stream.name': userStream, 'scim.stream.expected_revision': '0', 'scim.stream.actual_revision': '1', 'scim.command.guessed': true },
      ],
    ]);
    const appends = spans.filter((span) => span.name === 'event_store.append');
    expect(appends.map((span) => [span.attributes['scim.command.attempt'], span.attributes['scim.stream.expected_revisions'], span.attributes['error.type']])).toEqual([
      [1, ['0'], 'VersionConflictError'],
      [2, ['1'], undefined],
    ]);
    expect(appends[1].attributes['scim.stream.next_revisions']).toEqual(['2']);
    const reads = spans.filter((span) => span.name === 'event_store.read');
    expect(reads.map((span) => span.attributes['scim.command.attempt'])).toEqual([2]);
    for (const span of [...appends, ...reads]) expect(span.parentSpanContext?.spanId).toBe(command.spanContext().spanId);
  });

  it('a key reserved by someone the cache never saw is refused with 409 after a fresh read, nothing written', async () => {
    await createWithKey('ann', undefined, '33333333-3333-4333-8333-333333333333');
    await expect(createWithKey('ann', cache)).rejects.toMatchObject({ status: 409 });
    expect(await inner.readStream(userStream)).toEqual([]);
    expect(await inner.readStream(keyStream('ann'))).toHaveLength(1);
  });

  it('a stream the cache does not hold is read when the guess "does not exist" makes the decider refuse', async () => {
    await createWithKey('ann', undefined); // not in the cache
    counting.reads = 0;
    const outcome = await replace('bob', cache);
    expect(counting.reads).toBeGreaterThan(0);
    expect(outcome.streams.get(userStream)).toMatchObject({ revision: 1n });
  });

  it('reports every attempt, retry and its reason to the command metrics', async () => {
    const recorded: string[] = [];
    const metrics: CommandMetrics = {
      attempt: (outcome) => void recorded.push(`attempt ${outcome}`),
      retry: (reason) => void recorded.push(`retry after ${reason}`),
      gaveUp: () => void recorded.push('gave up'),
    };
    const replaceMeasured = (userName: string) =>
      runCommand(store, METADATA, async () => [decision(userStream, userDecider, { type: 'ReplaceUser', userId: USER_ID, attributes: { userName }, at: AT })], {
        cache,
        metrics,
      });
    await createWithKey('ann', cache);
    await replace('zed', undefined); // another writer: the cached revision is stale
    await replaceMeasured('bob');
    expect(recorded).toEqual(['attempt conflict', 'retry after conflict', 'attempt committed']);
    recorded.length = 0;
    // Refused on a guessed state (a user the cache never saw), read, refused again: the refusal is the answer.
    const other = new StreamStateCache();
    await expect(
      runCommand(store, METADATA, async () => [decision(streamNames.user(TENANT, '44444444-4444-4444-8444-444444444444'), userDecider, { type: 'DeleteUser', userId: '44444444-4444-4444-8444-444444444444', at: AT })], {
        cache: other,
        metrics,
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(recorded).toEqual(['attempt unverified', 'retry after unverified', 'attempt failed']);
  });

  it('the decider still refuses after the fresh read: its error is the answer', async () => {
    await expect(replace('bob', cache)).rejects.toMatchObject({ status: 404 });
    expect(counting.appends).toBe(0);
  });

  it('a guessed stream the command leaves unchanged is read before the answer is given', async () => {
    await createWithKey('ann', undefined);
    await replace('zed', undefined);
    // The cache is stale (revision 0, "ann"); replacing with "ann" changes nothing on that state, so the
    // guess cannot be checked by an append: the fresh read finds "zed" and the command changes it back.
    await createWithKey('other', cache, '44444444-4444-4444-8444-444444444444');
    cache.set(userStream, userDecider, { status: 'present', userId: USER_ID, attributes: { userName: 'ann' }, createdAt: AT, lastModifiedAt: AT }, 0n, null);
    counting.reads = 0;
    const outcome = await replace('ann', cache);
    expect(counting.reads).toBeGreaterThan(0);
    expect(outcome.streams.get(userStream)).toMatchObject({ revision: 2n });
  });

  it('an append that fails for another reason is reported, not retried as a wrong guess', async () => {
    counting.failAppend = new Error('connection lost');
    await expect(createWithKey('ann', cache)).rejects.toThrow('connection lost');
    expect(counting.appends).toBe(1);
  });

  describe('loader.dependOn: streams a decision depends on without writing them', () => {
    const OTHER_ID = '55555555-5555-4555-8555-555555555555';
    const otherStream = streamNames.user(TENANT, OTHER_ID);
    /** Reserves a key for OTHER_ID only while the user it depends on is present (as a group add depends on its member). */
    const reserveIfPresent = (key: string, withCache: StreamStateCache | undefined, meanwhile?: () => Promise<void>) =>
      runCommand(
        store,
        METADATA,
        async (loader) => {
          const [user] = await loader.dependOn([userStream], userDecider);
          if (meanwhile) await meanwhile();
          if (user.state.status !== 'present') throw Object.assign(new Error('the user it depends on is gone'), { status: 400 });
          return [decision(keyStream(key), uniqueKeyDecider, { type: 'ReserveUniqueKey', kind: 'userName', key, ownerId: OTHER_ID, at: AT })];
        },
        { cache: withCache },
      );
    const deleteUser = () => runCommand(inner, METADATA, async () => [decision(userStream, userDecider, { type: 'DeleteUser', userId: USER_ID, at: AT })]);

    it('a cached dependency is checked by the append instead of read: one round trip', async () => {
      await createWithKey('ann', cache);
      counting.reads = 0;
      counting.appends = 0;
      await reserveIfPresent('k1', cache);
      expect(counting).toMatchObject({ reads: 0, appends: 1 });
      expect(await inner.readStream(keyStream('k1'))).toHaveLength(1);
      expect(await inner.readStream(userStream)).toHaveLength(1); // nothing written to the dependency
    });

    it('a stale cached dependency makes the append fail; the command then decides on the fresh read', async () => {
      await createWithKey('ann', cache);
      await deleteUser(); // another writer: the cache still says present
      await expect(reserveIfPresent('k1', cache)).rejects.toMatchObject({ status: 400 });
      expect(await inner.readStream(keyStream('k1'))).toEqual([]);
    });

    it('a dependency changed between the read and the append: the change wins, the command decides again', async () => {
      await createWithKey('ann', undefined);
      let deleted = false;
      const meanwhile = async () => {
        if (deleted) return;
        deleted = true;
        await deleteUser(); // commits after the command read the user, before it appends
      };
      await expect(reserveIfPresent('k1', undefined, meanwhile)).rejects.toMatchObject({ status: 400 });
      expect(await inner.readStream(keyStream('k1'))).toEqual([]);
      expect((await inner.readStream(userStream)).map((event) => event.type)).toEqual(['UserCreated', 'UserDeleted']);
    });

    it('a dependency the cache does not hold is read before deciding (a guessed "no stream" cannot be checked)', async () => {
      await createWithKey('ann', undefined);
      counting.reads = 0;
      await reserveIfPresent('k1', cache);
      expect(counting.reads).toBeGreaterThan(0);
      expect(await inner.readStream(keyStream('k1'))).toHaveLength(1);
    });

    it('a dependency that is also written is checked once, by its own append', async () => {
      await createWithKey('ann', cache);
      const outcome = await runCommand(
        store,
        METADATA,
        async (loader) => {
          await loader.dependOn([userStream, otherStream], userDecider);
          return [decision(userStream, userDecider, { type: 'ReplaceUser', userId: USER_ID, attributes: { userName: 'bob' }, at: AT })];
        },
        { cache },
      );
      expect(outcome.streams.get(userStream)).toMatchObject({ revision: 1n });
      expect(await inner.readStream(otherStream)).toEqual([]);
    });
  });
});
