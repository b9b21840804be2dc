import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { EventStoreDBClient, type AppendToStreamOptions, type EventData } from '@eventstore/db-client';
import { describeEventStoreContract } from '../event-store-contract.test-support.js';
import { EventStoreUnavailableError, VersionConflictError } from '../event-store.errors.js';
import { START, type EventMetadata, type NewEvent, type StreamAppend } from '../event-store.port.js';
import { compensationEventId } from '../deterministic-event-id.js';
import type { EventStoreDbConnection } from './eventstoredb.connection.js';
import { EventStoreDbEventStore } from './eventstoredb.event-store.js';

// DESIGN.md "Event store": the contract runs against EventStoreDB whenever EVENTSTORE_URL is set (docker compose
// users, e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false). No server can run on the development machines.
const url = process.env.EVENTSTORE_URL?.trim() || undefined;

const METADATA: EventMetadata = {
  tenantId: 'int-tenant',
  tokenId: null,
  requestId: 'int-request',
  correlationId: null,
  sourceIp: null,
  userAgent: null,
  occurredAt: '2025-01-01T00:00:00.000Z',
};

function event(type: string, data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: METADATA };
}

if (url === undefined) {
  console.log('skipped: EVENTSTORE_URL is not set; no EventStoreDB server can run on this machine');
  describe('EventStoreDbEventStore on an EventStoreDB server', () => {
    it.skip('runs the event store contract (set EVENTSTORE_URL=esdb://host:2113?tls=false)', () => undefined);
  });
} else {
  const serverUrl = url;
  describeEventStoreContract(
    'EventStoreDB (EVENTSTORE_URL)',
    async () => {
      const stores: EventStoreDbEventStore[] = [];
      const open = async () => {
        const store = await EventStoreDbEventStore.create(serverUrl, { log: () => undefined });
        stores.push(store);
        return store;
      };
      return {
        store: await open(),
        openAnotherStore: open,
        cleanup: async () => {
          for (const store of stores) await store.close();
        },
      };
    },
    { rejectsReusedEventIds: false, checksConditionsAtCommit: false },
  );

  describe('EventStoreDbEventStore on an EventStoreDB server', () => {
    it('compensates a reservation on the real server when the resource append loses a race', async () => {
      const client = EventStoreDBClient.connectionString(serverUrl);
      const prefix = `int${randomUUID().slice(0, 8)}.`;
      const user = `${prefix}user-1`;
      let raced = false;
      // The real client, with another writer slipping in just before our append to the user's stream.
      const racing: EventStoreDbConnection = {
        appendToStream: async (streamName: string, events: EventData[], options?: AppendToStreamOptions) => {
          if (streamName === user && !raced) {
            raced = true;
            await client.appendToStream(user, [{ id: randomUUID(), contentType: 'application/json', type: 'UserReplaced', data: {}, metadata: { ...METADATA, schemaVersion: 1 } }]);
          }
          return client.appendToStream(streamName, events, options);
        },
        readStream: (streamName, options) => client.readStream(streamName, options),
        readAll: (options) => client.readAll(options),
        subscribeToAll: (options) => client.subscribeToAll(options),
        dispose: () => client.dispose(),
      };
      const store = new EventStoreDbEventStore(racing, { log: () => undefined });
      try {
        await store.appendToStream({ streamName: user, expectedRevision: 'no-stream', events: [event('UserCreated')] });
        const reserved = event('UniqueKeyReserved', { kind: 'userName', key: 'bob', ownerId: 'user-1' });
        const key: StreamAppend = {
          streamName: `${prefix}unique-userName-bob`,
          expectedRevision: 'no-stream',
          events: [reserved],
          compensation: [{ ...event('UniqueKeyReleased', { kind: 'userName', key: 'bob', ownerId: 'user-1' }), id: compensationEventId(reserved.id, 0) }],
        };
        await expect(store.appendToStreams([{ streamName: user, expectedRevision: 0n, events: [event('UserRenamed')] }, key])).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        expect((await store.readStream(key.streamName)).map((recorded) => recorded.type)).toEqual(['UniqueKeyReserved', 'UniqueKeyReleased']);
        expect((await store.readStream(user)).map((recorded) => recorded.type)).toEqual(['UserCreated', 'UserReplaced']);
      } finally {
        await store.close();
      }
    });
  });
}

// Needs no server: the real client against a port nobody listens on.
describe('EventStoreDbEventStore with the real client and no server', () => {
  it('reports an unreachable server as EventStoreUnavailableError', async () => {
    const store = await EventStoreDbEventStore.create('esdb://127.0.0.1:1?tls=false', { operationTimeoutMs: 5_000, appendRetries: 0, log: () => undefined });
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readStream('t.user-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readAll({ after: START, maxCount: 1 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.appendToStream({ streamName: 't.user-1', expectedRevision: 'no-stream', events: [event('UserCreated')] })).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      const started = performance.now();
      await store.waitForEvents(START, 10_000); // the subscription fails: a short poll, not a hang
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('refuses a connection string the client cannot use, without echoing it', async () => {
    const attempt = EventStoreDbEventStore.create('esdb://admin:s3cret@host:2113?tls=maybe');
    await expect(attempt).rejects.toThrow('EVENTSTORE_URL is not a usable EventStoreDB connection string');
    await expect(attempt).rejects.not.toThrow('s3cret');
  });
});
