import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { streamNames } from '#domain/stream-names.js';
import { undoUniqueKeyEvents, uniqueKeyDecider } from '#domain/unique-key/unique-key.decider.js';
import { userDecider } from '#domain/user/user.decider.js';
import { verifyTenantChains } from './audit/chain-verifier.js';
import { eventHash } from './audit/event-hash.js';
import { decision, runCommand } from './command.loop.js';
import type { EventMetadata, EventStore, RecordedEvent } from './event-store.port.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb.event-store.js';
import { InMemoryEventStoreDbServer } from './eventstoredb/eventstoredb.server.fake.js';
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
