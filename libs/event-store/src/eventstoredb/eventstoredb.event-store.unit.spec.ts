import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { UnavailableError } from '@eventstore/db-client';
import { describeEventStoreContract } from '../event-store-contract.test-support.js';
import { EventStoreUnavailableError, VersionConflictError } from '../event-store.errors.js';
import { START, type EventMetadata, type NewEvent, type StreamAppend } from '../event-store.port.js';
import { compensationEventId } from '../deterministic-event-id.js';
import { PartialAppendError } from './eventstoredb.errors.js';
import { EventStoreDbEventStore } from './eventstoredb.event-store.js';
import { InMemoryEventStoreDbServer } from './eventstoredb-fake.test-support.js';

// The adapter's logic (paging, filtering, pre-checks, compensation, waking) against a model of the server.
// What the model assumes about EventStoreDB is listed in eventstoredb-fake.test-support.ts; the int spec checks it.
describeEventStoreContract(
  'EventStoreDB adapter over an in-memory model of the server',
  async () => {
    const server = new InMemoryEventStoreDbServer();
    const stores: EventStoreDbEventStore[] = [];
    const open = () => {
      const store = new EventStoreDbEventStore(server.connect(), { log: () => undefined, readPageSize: 7 });
      stores.push(store);
      return store;
    };
    return {
      store: open(),
      openAnotherStore: async () => open(),
      cleanup: async () => {
        for (const store of stores) await store.close();
      },
    };
  },
  { rejectsReusedEventIds: false, checksConditionsAtCommit: false, concurrentAppenders: 8, appendsPerAppender: 30 },
);

const METADATA: EventMetadata = {
  tenantId: 't1',
  tokenId: 'token-1',
  requestId: 'request-1',
  correlationId: null,
  sourceIp: null,
  userAgent: null,
  occurredAt: '2025-01-01T00:00:00.000Z',
};

function event(type: string, data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: METADATA };
}

/** A reservation append as the command loop should send it: its release is its compensation. */
function reservation(streamName: string, ownerId: string, expectedRevision: StreamAppend['expectedRevision'] = 'no-stream'): StreamAppend {
  const reserved = event('UniqueKeyReserved', { kind: 'userName', key: streamName, ownerId });
  const released: NewEvent = { ...event('UniqueKeyReleased', { kind: 'userName', key: streamName, ownerId }), id: compensationEventId(reserved.id, 0) };
  return { streamName, expectedRevision, events: [reserved], compensation: [released] };
}

describe('EventStoreDbEventStore.appendToStreams without a transaction', () => {
  let server: InMemoryEventStoreDbServer;
  let store: EventStoreDbEventStore;
  let messages: string[];
  const prefix = () => `t${randomUUID().slice(0, 8)}.`;
  const types = async (streamName: string) => (await store.readStream(streamName)).map((recorded) => recorded.type);

  beforeEach(() => {
    server = new InMemoryEventStoreDbServer();
    messages = [];
    store = new EventStoreDbEventStore(server.connect(), { log: (message) => messages.push(message) });
  });
  afterEach(async () => {
    await store.close();
  });

  it('writes reservations first, then the resource, then the rest, and answers in the caller\'s order', async () => {
    const p = prefix();
    await store.appendToStream({ streamName: `${p}unique-userName-old`, expectedRevision: 'no-stream', events: [event('UniqueKeyReserved')] });
    const results = await store.appendToStreams([
      { streamName: `${p}user-1`, expectedRevision: 'no-stream', events: [event('UserCreated')] },
      { streamName: `${p}unique-userName-old`, expectedRevision: 0n, events: [event('UniqueKeyReleased')] },
      reservation(`${p}unique-userName-new`, 'user-1'),
    ]);
    const written = server.allEvents().filter((stored) => stored.streamId.startsWith(p)).map((stored) => stored.streamId);
    expect(written).toEqual([`${p}unique-userName-old`, `${p}unique-userName-new`, `${p}user-1`, `${p}unique-userName-old`]);
    expect(results.map((result) => result.nextRevision)).toEqual([0n, 1n, 0n]);
  });

  it('compensates a reservation when the resource append loses a race after the pre-check, and the key can be taken again', async () => {
    const p = prefix();
    const user = `${p}user-1`;
    await store.appendToStream({ streamName: user, expectedRevision: 'no-stream', events: [event('UserCreated')] });
    server.beforeAppend = async (streamName) => {
      if (streamName !== user) return;
      server.beforeAppend = null;
      await store.appendToStream({ streamName: user, expectedRevision: 0n, events: [event('UserReplaced')] }); // the other writer wins
    };
    const key = reservation(`${p}unique-userName-bob`, 'user-1');
    const attempt = store.appendToStreams([{ streamName: user, expectedRevision: 0n, events: [event('UserRenamed')] }, key]);
    await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    await expect(attempt).rejects.toMatchObject({ streamName: user, expected: '0' });

    expect(await types(user)).toEqual(['UserCreated', 'UserReplaced']);
    const reservationStream = await store.readStream(key.streamName);
    expect(reservationStream.map((recorded) => recorded.type)).toEqual(['UniqueKeyReserved', 'UniqueKeyReleased']);
    expect(reservationStream[1].id).toBe(key.compensation![0].id);
    expect(messages.join('\n')).toMatch(/compensated the append to .*unique-userName-bob/);

    // Released, so reservable again at its new revision; the same call repeated is planned afresh, not replayed.
    await expect(store.appendToStreams([{ streamName: user, expectedRevision: 0n, events: [event('UserRenamed')] }, key])).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    const again = await store.appendToStreams([
      { streamName: user, expectedRevision: 1n, events: [event('UserRenamed')] },
      reservation(key.streamName, 'user-1', 1n),
    ]);
    expect(again.map((result) => result.nextRevision)).toEqual([2n, 2n]);
  });

  it('refuses before writing anything when an expected revision is already stale (no compensation needed)', async () => {
    const p = prefix();
    await store.appendToStream({ streamName: `${p}user-1`, expectedRevision: 'no-stream', events: [event('UserCreated'), event('UserReplaced')] });
    const before = server.allEvents().length;
    await expect(
      store.appendToStreams([reservation(`${p}unique-userName-bob`, 'user-1'), { streamName: `${p}user-1`, expectedRevision: 0n, events: [event('UserRenamed')] }]),
    ).rejects.toMatchObject({ name: 'VersionConflictError', streamName: `${p}user-1`, expected: '0', actual: '1' });
    expect(server.allEvents()).toHaveLength(before);
  });

  it('sends an append again when its answer was lost, and stores it once', async () => {
    const p = prefix();
    let lost = 0;
    server.afterAppend = (streamName) => {
      if (streamName === `${p}user-1` && lost++ === 0) throw new UnavailableError(undefined, 'connection reset');
    };
    const results = await store.appendToStreams([reservation(`${p}unique-userName-ann`, 'user-1'), { streamName: `${p}user-1`, expectedRevision: 'no-stream', events: [event('UserCreated')] }]);
    expect(results.map((result) => result.nextRevision)).toEqual([0n, 0n]);
    expect(await types(`${p}user-1`)).toEqual(['UserCreated']);
    expect(await types(`${p}unique-userName-ann`)).toEqual(['UniqueKeyReserved']);
  });

  it('reports a partial append (a 503) when the server goes away and the compensation cannot be written either', async () => {
    const p = prefix();
    const fast = new EventStoreDbEventStore(server.connect(), { log: (message) => messages.push(message), appendRetries: 1, compensationRetries: 1 });
    server.beforeAppend = (streamName) => {
      if (streamName === `${p}user-1`) server.unavailable = true;
    };
    const key = reservation(`${p}unique-userName-ann`, 'user-1');
    const attempt = fast.appendToStreams([key, { streamName: `${p}user-1`, expectedRevision: 'no-stream', events: [event('UserCreated')] }]);
    await expect(attempt).rejects.toBeInstanceOf(PartialAppendError);
    await expect(attempt).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(attempt).rejects.toMatchObject({ leftAppended: [key.streamName], notAppended: [`${p}user-1`] });
    server.unavailable = false;
    expect(await types(key.streamName)).toEqual(['UniqueKeyReserved']); // left for the operator (docs/operations.md)
    expect(messages.join('\n')).toMatch(/only partly applied/);
    await fast.close();
  });

  it('undoes nothing when an append without compensation was already written', async () => {
    const p = prefix();
    const old = `${p}unique-userName-old`;
    await store.appendToStream({ streamName: old, expectedRevision: 'no-stream', events: [event('UniqueKeyReserved')] });
    server.beforeAppend = async (streamName) => {
      if (streamName !== old) return;
      server.beforeAppend = null;
      await store.appendToStream({ streamName: old, expectedRevision: 0n, events: [event('Intruder')] });
    };
    const key = reservation(`${p}unique-userName-new`, 'user-1');
    const attempt = store.appendToStreams([
      { streamName: `${p}user-1`, expectedRevision: 'no-stream', events: [event('UserCreated')] },
      { streamName: old, expectedRevision: 0n, events: [event('UniqueKeyReleased')] },
      key,
    ]);
    await expect(attempt).rejects.toBeInstanceOf(PartialAppendError);
    await expect(attempt).rejects.toMatchObject({ notAppended: [old] });
    expect(await types(`${p}user-1`)).toEqual(['UserCreated']);
    expect(await types(key.streamName)).toEqual(['UniqueKeyReserved']); // consistent with the user that now exists
  });

  it('returns the first results for a repeated call that succeeded, also after other events followed', async () => {
    const p = prefix();
    const appends = [reservation(`${p}unique-userName-ann`, 'user-1'), { streamName: `${p}user-1`, expectedRevision: 'no-stream' as const, events: [event('UserCreated')] }];
    const first = await store.appendToStreams(appends);
    await store.appendToStream({ streamName: `${p}user-1`, expectedRevision: 0n, events: [event('UserReplaced')] });
    await expect(store.appendToStreams(appends)).resolves.toEqual(first);
    expect(await types(`${p}user-1`)).toEqual(['UserCreated', 'UserReplaced']);
  });

  it('checks a condition by reading its stream just before the first write, so a change after that read goes unnoticed', async () => {
    const p = prefix();
    const user = `${p}user-1`;
    const group = `${p}group-1`;
    await store.appendToStreams([
      { streamName: user, expectedRevision: 'no-stream', events: [event('UserCreated')] },
      { streamName: group, expectedRevision: 'no-stream', events: [event('GroupCreated')] },
    ]);
    const reads: string[] = [];
    const connection = server.connect();
    const watched = new EventStoreDbEventStore({ ...connection, readStream: (streamName, options) => (reads.push(streamName), connection.readStream(streamName, options)) }, { log: () => undefined });
    // One append with a condition still reads before writing: the condition stream and its own expected revision.
    await watched.appendToStreams([{ streamName: group, expectedRevision: 0n, events: [event('GroupMembersAdded')] }], [{ streamName: user, revision: 0n }]);
    expect(reads.sort()).toEqual([group, user].sort());

    // The documented window: a writer that appends to the condition stream after that read and before our write.
    server.beforeAppend = async (streamName) => {
      if (streamName !== group) return;
      server.beforeAppend = null;
      await store.appendToStream({ streamName: user, expectedRevision: 0n, events: [event('UserDeleted')] });
    };
    await expect(
      watched.appendToStreams([{ streamName: group, expectedRevision: 1n, events: [event('GroupMembersAdded')] }], [{ streamName: user, revision: 0n }]),
    ).resolves.toHaveLength(1);
    expect(await types(user)).toEqual(['UserCreated', 'UserDeleted']);
    expect(await types(group)).toEqual(['GroupCreated', 'GroupMembersAdded', 'GroupMembersAdded']);
    await watched.close();
  });
});

describe('EventStoreDbEventStore when the server cannot be reached', () => {
  it('reports every operation as EventStoreUnavailableError, and waitForEvents still returns', async () => {
    const server = new InMemoryEventStoreDbServer();
    server.unavailable = true;
    const store = new EventStoreDbEventStore(server.connect(), { log: () => undefined, appendRetries: 1 });
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readStream('t.user-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readAll({ after: START, maxCount: 10 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.appendToStream({ streamName: 't.user-1', expectedRevision: 'no-stream', events: [event('UserCreated')] })).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      const started = performance.now();
      await store.waitForEvents(START, 5_000);
      expect(performance.now() - started).toBeLessThan(2_500); // polls instead of hanging on a dead subscription
    } finally {
      await store.close();
    }
    await expect(store.ping()).rejects.toThrow('closed');
  });
});
