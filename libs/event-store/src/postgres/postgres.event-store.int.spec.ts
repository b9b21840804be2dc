import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { describeEventStoreContract, waitUntilReadable } from '../event-store-contract.test-support.js';
import { EventStoreUnavailableError, VersionConflictError } from '../event-store.errors.js';
import { comparePositions, type EventMetadata, type NewEvent } from '../event-store.port.js';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres.event-store.js';
import { EVENTS_TABLE, migrateEventStore, STREAMS_TABLE } from './postgres.schema.js';

const POOL_SIZE = 20;

const METADATA: EventMetadata = {
  tenantId: 't',
  tokenId: null,
  requestId: null,
  correlationId: null,
  sourceIp: null,
  userAgent: null,
  occurredAt: '2025-01-01T00:00:00.000Z',
};

function newEvent(type = 'ThingHappened'): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data: { n: 1 }, metadata: METADATA };
}

/** Pools and stores over one test database, all closed by close(). */
class Opened {
  private readonly pools: pg.Pool[] = [];
  private readonly stores: PostgresEventStore[] = [];
  constructor(readonly database: TestDatabase) {}

  async store(options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const pool = this.pool();
    await migrateEventStore(pool);
    const store = new PostgresEventStore(pool, options);
    this.stores.push(store);
    return store;
  }

  pool(max = POOL_SIZE): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.database.connectionString, max });
    this.pools.push(pool);
    return pool;
  }

  async close(): Promise<void> {
    for (const store of this.stores) await store.close();
    for (const pool of this.pools) await pool.end();
    await this.database.stop();
  }
}

for (const backend of testDatabases()) {
  describeEventStoreContract(
    backend.name,
    async () => {
      const opened = new Opened(await backend.start({ maxConnections: POOL_SIZE * 4 }));
      return { store: await opened.store(), openAnotherStore: () => opened.store(), cleanup: () => opened.close() };
    },
    { rejectsReusedEventIds: true, checksConditionsAtCommit: true },
  );

  describe(`PostgresEventStore on ${backend.name}`, () => {
    let opened: Opened;
    beforeAll(async () => {
      opened = new Opened(await backend.start({ maxConnections: POOL_SIZE * 4 }));
    }, 120_000);
    afterAll(async () => {
      await opened?.close();
    }, 60_000);

    it('migrates idempotently, also several times at once', async () => {
      const pool = opened.pool(4);
      await Promise.all([migrateEventStore(pool), migrateEventStore(pool), migrateEventStore(pool)]);
      await migrateEventStore(pool);
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${EVENTS_TABLE}`);
      expect(rows[0].n).toBeGreaterThanOrEqual(0);
    });

    it('throughput (informational): sequential and 16-way concurrent single-event appends', async () => {
      const store = await opened.store();
      const sequential = 300;
      let last = { commit: -1n, prepare: -1n };
      let started = performance.now();
      for (let i = 0; i < sequential; i++) {
        last = (await store.appendToStream({ streamName: `tp.seq-${i % 10}`, expectedRevision: 'any', events: [newEvent()] })).position;
      }
      const sequentialRate = sequential / ((performance.now() - started) / 1000);

      const workers = 16;
      const each = 50;
      started = performance.now();
      await Promise.all(
        Array.from({ length: workers }, async (_, worker) => {
          let revision: bigint | 'no-stream' = 'no-stream';
          for (let i = 0; i < each; i++) {
            const result = await store.appendToStream({ streamName: `tp.user-${worker}`, expectedRevision: revision, events: [newEvent()] });
            revision = result.nextRevision;
            if (comparePositions(result.position, last) > 0) last = result.position;
          }
        }),
      );
      const concurrentRate = (workers * each) / ((performance.now() - started) / 1000);
      await waitUntilReadable(store, last);

      started = performance.now();
      let read = 0;
      let after = { commit: -1n, prepare: -1n };
      for (;;) {
        const batch = await store.readAll({ after, maxCount: 500, streamPrefixes: ['tp.'] });
        if (batch.length === 0) break;
        read += batch.length;
        after = batch[batch.length - 1].position;
      }
      const readRate = read / ((performance.now() - started) / 1000);
      console.log(
        `throughput on ${backend.name}: ${sequentialRate.toFixed(0)} appends/s sequential, ` +
          `${concurrentRate.toFixed(0)} appends/s with ${workers} concurrent writers, readAll ${readRate.toFixed(0)} events/s in pages of 500`,
      );
      expect(read).toBe(sequential + workers * each);
    }, 120_000);

    it('runs the append as a named prepared statement, which every connection of the pool can use', async () => {
      const store = await opened.store();
      const queries = jest.spyOn(pg.Client.prototype, 'query');
      try {
        // More appends at once than connections have prepared the statement: on PGlite they share one session.
        await Promise.all(
          Array.from({ length: 8 }, () =>
            store.appendToStream({ streamName: `prepared.${randomUUID()}`, expectedRevision: 'no-stream', events: [newEvent()] }),
          ),
        );
        const appends = queries.mock.calls
          .map(([query]) => query as unknown)
          .filter((query) => JSON.stringify(query).includes('require_appended'));
        expect(appends).toHaveLength(8);
        const names = new Set(appends.map((query) => (query as { name?: string }).name));
        expect([...names]).toEqual([expect.stringMatching(/^stmt_[0-9a-f]{24}$/)]);
      } finally {
        queries.mockRestore();
      }
    });

    it('a version conflict keeps its connection: the pool opens no new one for each loser', async () => {
      const pool = opened.pool(2);
      await migrateEventStore(pool);
      const store = new PostgresEventStore(pool);
      let connections = 0;
      pool.on('connect', () => connections++);
      const stream = `kept.${randomUUID()}`;
      await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [newEvent()] });
      const before = connections;
      for (let i = 0; i < 10; i++) {
        await expect(store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [newEvent()] })).rejects.toBeInstanceOf(VersionConflictError);
      }
      await expect(store.appendToStreams([{ streamName: `kept.${randomUUID()}`, expectedRevision: 'no-stream', events: [newEvent()] }], [{ streamName: stream, revision: 5n }])).rejects.toBeInstanceOf(VersionConflictError);
      expect(connections).toBe(before);
      await store.close();
    });

    it('after a read, waitForEvents asks the database nothing when something was appended since that read began', async () => {
      const store = await opened.store({ localSignal: new EventEmitter() });
      const stream = `wake.${randomUUID()}`;
      const { position } = await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [newEvent()] });
      await waitUntilReadable(store, position);
      const [event] = await store.readAll({ after: { commit: position.commit, prepare: position.prepare - 1n }, maxCount: 1, streamPrefixes: [stream] });
      expect(event.position).toEqual(position);
      const queries = jest.spyOn(pg.Client.prototype, 'query');
      // The store's own statements (on a server, its LISTEN connection also runs queries).
      const logLooks = () => queries.mock.calls.filter(([query]) => JSON.stringify(query).includes('held_back'));
      try {
        // Nothing appended since the read: it looks (one query) and waits out its timeout.
        await store.waitForEvents(event.position, 50);
        expect(logLooks()).toHaveLength(1);
        queries.mockClear();
        await store.appendToStream({ streamName: stream, expectedRevision: 0n, events: [newEvent()] });
        queries.mockClear();
        // Appended since the read began: the reader should read again, and is told so without a query.
        await store.waitForEvents(event.position, 10_000);
        expect(logLooks()).toHaveLength(0);
      } finally {
        queries.mockRestore();
      }
    });

    if (backend.name === 'postgres') {
      it('never lets a reader pass an event whose transaction is still running (the transaction-id technique)', async () => {
        const store = await opened.store();
        const { position: head } = await store.appendToStream({ streamName: `gap.${randomUUID()}`, expectedRevision: 'no-stream', events: [newEvent()] });
        await waitUntilReadable(store, head);
        const slow = await opened.pool(1).connect();
        const lateId = randomUUID();
        const stream = `gap.${randomUUID()}`;
        try {
          // The slow transaction takes the smaller sequence number but commits last: ordered by seq alone, a reader
          // would read the fast event, move past the slow one's number, and never see it.
          await slow.query('BEGIN');
          await slow.query(`INSERT INTO ${STREAMS_TABLE} (stream_name, revision) VALUES ($1, 0)`, [`${stream}-slow`]);
          await slow.query(
            `INSERT INTO ${EVENTS_TABLE} (stream_name, stream_revision, event_id, event_type, schema_version, data, metadata)
             VALUES ($1, 0, $2, 'Late', 1, '{}', $3)`,
            [`${stream}-slow`, lateId, JSON.stringify(METADATA)],
          );
          const fast = newEvent('Early');
          const fastResult = await store.appendToStream({ streamName: `${stream}-fast`, expectedRevision: 'no-stream', events: [fast] });

          expect(await store.readAll({ after: head, maxCount: 100, streamPrefixes: [stream] })).toEqual([]);
          expect(await store.headPosition()).toEqual(head);
          expect((await store.readStream(`${stream}-fast`)).map((event) => event.id)).toEqual([fast.id]); // streams read at once

          await slow.query('COMMIT');
          await waitUntilReadable(store, fastResult.position);
          const read = await store.readAll({ after: head, maxCount: 100, streamPrefixes: [stream] });
          expect(read.map((event) => event.id)).toEqual([lateId, fast.id]);
          expect(read[0].position.prepare).toBeGreaterThan(0n);
          expect(read[0].position.prepare).toBeLessThan(fastResult.position.prepare); // it really committed out of order
          expect(comparePositions(read[0].position, read[1].position)).toBe(-1);
        } finally {
          await slow.query('ROLLBACK').catch(() => undefined); // no-op once committed
          slow.release();
        }
      });

      it('wakes a reader in another process through LISTEN/NOTIFY', async () => {
        // Private signals: no in-process shortcut between the two stores, as between two processes.
        const writer = await opened.store({ notifications: 'listen', localSignal: new EventEmitter() });
        const reader = await opened.store({ notifications: 'listen', localSignal: new EventEmitter() });
        const head = await reader.headPosition();
        const waiting = reader.waitForEvents(head, 10_000);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const started = performance.now();
        await writer.appendToStream({ streamName: `notify.${randomUUID()}`, expectedRevision: 'no-stream', events: [newEvent()] });
        await waiting;
        expect(performance.now() - started).toBeLessThan(2_000);
      });

      it('wakes a waiting reader soon after a transaction that held events back rolls back', async () => {
        const writer = await opened.store();
        const reader = await opened.store({ notifications: 'listen', localSignal: new EventEmitter() });
        const blocker = await opened.pool(1).connect();
        try {
          await blocker.query('BEGIN');
          await blocker.query('SELECT pg_current_xact_id()'); // holds the horizon back, as any writer mid-transaction does
          const head = await reader.headPosition();
          await writer.appendToStream({ streamName: `held.${randomUUID()}`, expectedRevision: 'no-stream', events: [newEvent()] });
          expect(await reader.readAll({ after: head, maxCount: 10 })).toEqual([]);
          setTimeout(() => void blocker.query('ROLLBACK'), 300);
          const started = performance.now();
          for (let polls = 0; (await reader.readAll({ after: head, maxCount: 10 })).length === 0; polls++) {
            expect(polls).toBeLessThan(1_000);
            await reader.waitForEvents(head, 10_000);
          }
          // A rollback announces nothing; the reader noticed by polling while events were held back, long before
          // its 10 s timeout (not sooner than 300 ms: another test database's transaction may hold the horizon too).
          expect(performance.now() - started).toBeLessThan(9_000);
        } finally {
          blocker.release();
        }
      });
    }
  });
}

describe('PostgresEventStore without a database', () => {
  it('reports an unreachable database as EventStoreUnavailableError', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', max: 1, connectionTimeoutMillis: 2_000 });
    const store = new PostgresEventStore(pool, { onBackgroundError: () => undefined, endPoolOnClose: true });
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readStream('s')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readAll({ after: { commit: -1n, prepare: -1n }, maxCount: 1 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.appendToStream({ streamName: 's', expectedRevision: 'any', events: [newEvent()] })).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});
