import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventMetadata, NewEvent } from '#event-store/event-store.port.js';
import { startEmbeddedPostgres } from '#postgres/embedded/pglite.server.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { migrateEventStore } from '#event-store/postgres/postgres.schema.js';

/**
 * Run as its own process by pglite.server.int.spec.ts (through transpileForChildProcess): opens the embedded
 * database in the directory given as the first argument and appends from several writers until it is killed.
 * It prints "ack <event id>" once an append has resolved; stdout to a pipe is written synchronously on Linux,
 * so every id the parent reads was acknowledged before the kill.
 */
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: event-store-append-burst.child.js <dataDir>');

const metadata: EventMetadata = {
  tenantId: 'burst',
  tokenId: null,
  requestId: null,
  correlationId: null,
  sourceIp: null,
  userAgent: null,
  occurredAt: new Date().toISOString(),
};
const event = (type: string): NewEvent => ({ id: randomUUID(), type, schemaVersion: 1, data: { at: Date.now() }, metadata });

const embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 10 });
const pool = new pg.Pool({ connectionString: embedded.connectionString, max: 8 });
await migrateEventStore(pool);
const store = new PostgresEventStore(pool, { notifications: 'in-process' });
process.stdout.write('ready\n');

await Promise.all(
  Array.from({ length: 6 }, async (_, writer) => {
    for (let step = 0; ; step++) {
      if (step % 4 === 3) {
        // The embedded gateway's create: a reservation and a resource in one transaction.
        const reservation = event('KeyReserved');
        const created = event('UserCreated');
        await store.appendToStreams([
          { streamName: `burst.reservation-${writer}-${step}`, expectedRevision: 'no-stream', events: [reservation] },
          { streamName: `burst.user-${writer}`, expectedRevision: 'any', events: [created] },
        ]);
        process.stdout.write(`ack ${reservation.id}\nack ${created.id}\n`);
      } else {
        const changed = event('UserChanged');
        await store.appendToStream({ streamName: `burst.user-${writer}`, expectedRevision: 'any', events: [changed] });
        process.stdout.write(`ack ${changed.id}\n`);
      }
    }
  }),
);
