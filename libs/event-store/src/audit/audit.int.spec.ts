import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { streamNames } from '#domain/stream-names.js';
import { userDecider } from '#domain/user/user.decider.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { decision, runCommand } from '../command.loop.js';
import { waitUntilReadable } from '../event-store-contract.test-support.js';
import type { EventMetadata, GlobalPosition, RecordedEvent } from '../event-store.port.js';
import { PostgresEventStore } from '../postgres/postgres.event-store.js';
import { EVENTS_TABLE, migrateEventStore } from '../postgres/postgres.schema.js';
import { StreamStateCache } from '../stream-state.cache.js';
import { verifyTenantChains } from './chain-verifier.js';
import { eventHash } from './event-hash.js';
import { exportTenantHistory, type ExportedEvent } from './tenant-history.js';

const AT = '2025-01-01T00:00:00.000Z';

function metadata(tenantId: string): EventMetadata {
  return { tenantId, tokenId: 'tok-1', requestId: 'req-1', correlationId: null, sourceIp: '10.0.0.1', userAgent: 'test', occurredAt: AT };
}

for (const backend of testDatabases()) {
  describe(`hash chain, verify and export on ${backend.name}`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    let store: PostgresEventStore;
    const cache = new StreamStateCache();

    beforeAll(async () => {
      database = await backend.start({ maxConnections: 10 });
      pool = new pg.Pool({ connectionString: database.connectionString, max: 4 });
      await migrateEventStore(pool);
      store = new PostgresEventStore(pool);
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await pool?.end();
      await database?.stop();
    }, 60_000);

    /** Creates a user and renames it `renames` times, through the command loop. */
    async function userWithHistory(tenantId: string, userId: string, renames: number): Promise<GlobalPosition> {
      const stream = streamNames.user(tenantId, userId);
      let outcome = await runCommand(
        store,
        metadata(tenantId),
        async () => [decision(stream, userDecider, { type: 'CreateUser', userId, attributes: { userName: `${userId}-0` }, at: AT })],
        { cache },
      );
      for (let n = 1; n <= renames; n++) {
        outcome = await runCommand(
          store,
          metadata(tenantId),
          async () => [decision(stream, userDecider, { type: 'ReplaceUser', userId, attributes: { userName: `${userId}-${n}` }, at: AT })],
          { cache },
        );
      }
      return outcome.position!;
    }

    const eventAt = async (tenantId: string, userId: string, revision: number): Promise<RecordedEvent> =>
      (await store.readStream(streamNames.user(tenantId, userId)))[revision];

    it('verifies what the command loop appended, then finds a changed event and the link after it', async () => {
      await userWithHistory('tamper', 'u1', 3);
      await waitUntilReadable(store, await userWithHistory('tamper', 'u2', 1));
      expect(await verifyTenantChains(store, 'tamper', { pageSize: 2 })).toMatchObject({ ok: true, eventsChecked: 6, streamsChecked: 2, problemCount: 0 });

      const changed = await eventAt('tamper', 'u1', 1);
      const next = await eventAt('tamper', 'u1', 2);
      await pool.query(`UPDATE ${EVENTS_TABLE} SET data = jsonb_set(data, '{attributes,userName}', '"mallory"') WHERE event_id = $1`, [changed.id]);

      const verification = await verifyTenantChains(store, 'tamper', { pageSize: 2 });
      expect(verification.ok).toBe(false);
      expect(verification.problems.map(({ streamName, revision, eventId, kind }) => ({ streamName, revision, eventId, kind }))).toEqual([
        { streamName: 'tamper.user-u1', revision: '1', eventId: changed.id, kind: 'hash-mismatch' },
        { streamName: 'tamper.user-u1', revision: '2', eventId: next.id, kind: 'broken-link' },
      ]);
    });

    it('finds an event deleted from the middle of a stream', async () => {
      await waitUntilReadable(store, await userWithHistory('deletion', 'u1', 4));
      const deleted = await eventAt('deletion', 'u1', 2);
      const after = await eventAt('deletion', 'u1', 3);
      await pool.query(`DELETE FROM ${EVENTS_TABLE} WHERE event_id = $1`, [deleted.id]);

      const verification = await verifyTenantChains(store, 'deletion');
      expect(verification).toMatchObject({ ok: false, eventsChecked: 4, problemCount: 1 });
      expect(verification.problems[0]).toMatchObject({ streamName: 'deletion.user-u1', revision: '3', eventId: after.id, kind: 'revision-gap' });
    });

    it('exports every event of a tenant as JSON lines, page by page, and none of another tenant', async () => {
      await userWithHistory('acme', 'u1', 2);
      await userWithHistory('acme2', 'u1', 1);
      await userWithHistory('acme', 'u2', 0);
      await waitUntilReadable(store, await userWithHistory('acme2', 'u2', 0));

      const lines: string[] = [];
      for await (const line of exportTenantHistory(store, 'acme', 2)) lines.push(line);
      expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
      const exported = lines.map((line) => JSON.parse(line) as ExportedEvent);
      expect(exported.map((event) => `${event.streamName}@${event.revision}`).sort()).toEqual(
        ['acme.user-u1@0', 'acme.user-u1@1', 'acme.user-u1@2', 'acme.user-u2@0'].sort(),
      );

      const [first] = await store.readStream('acme.user-u1');
      const line = exported.find((event) => event.id === first.id)!;
      expect(line).toEqual({
        streamName: 'acme.user-u1',
        revision: '0',
        position: `${first.position.commit}:${first.position.prepare}`,
        id: first.id,
        type: 'UserCreated',
        schemaVersion: 1,
        data: first.data,
        metadata: { ...metadata('acme'), previousHash: null, hash: first.metadata.hash },
        recordedAt: first.recordedAt.toISOString(),
      });
      expect(Object.keys(line)).toEqual(['streamName', 'revision', 'position', 'id', 'type', 'schemaVersion', 'data', 'metadata', 'recordedAt']);
      // An exported line alone is enough to recompute its hash (docs/audit-format.md).
      for (const event of exported) expect(eventHash({ ...event, revision: BigInt(event.revision) })).toBe(event.metadata.hash);
    });
  });
}
