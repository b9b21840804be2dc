import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { streamNames } from '#domain/stream-names.js';
import { userDecider, type UserCommand } from '#domain/user/user.decider.js';
import { decision, runCommand } from '#event-store/command.loop.js';
import { waitUntilReadable } from '#event-store/event-store-contract.test-support.js';
import type { EventMetadata } from '#event-store/event-store.port.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { EVENTS_TABLE, migrateEventStore } from '#event-store/postgres/postgres.schema.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { AuditService } from './audit.service.js';

const TENANT = 'acme';
const USER_ID = '11111111-1111-4111-8111-111111111111';
const METADATA: EventMetadata = {
  tenantId: TENANT,
  tokenId: 'tok-1',
  requestId: 'req-1',
  correlationId: null,
  sourceIp: '10.0.0.1',
  userAgent: 'test',
  occurredAt: '2025-01-01T00:00:00.000Z',
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const backend of testDatabases()) {
  describe(`AuditService on ${backend.name}`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    let store: PostgresEventStore;
    let audit: AuditService;

    beforeAll(async () => {
      database = await backend.start({ maxConnections: 10 });
      pool = new pg.Pool({ connectionString: database.connectionString, max: 4 });
      await migrateEventStore(pool);
      store = new PostgresEventStore(pool);
      audit = new AuditService(store, { registry: new SchemaRegistry(), baseUrl: 'https://scim.example.com/scim/v2' });
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await pool?.end();
      await database?.stop();
    }, 60_000);

    const user = (command: UserCommand) =>
      runCommand(store, METADATA, async () => [decision(streamNames.user(TENANT, USER_ID), userDecider, command)]);

    it('answers history, asOf (by the recorded times), verify and export from the store', async () => {
      const at = METADATA.occurredAt;
      await user({ type: 'CreateUser', userId: USER_ID, attributes: { userName: 'ann' }, at });
      await pause(20);
      await user({ type: 'ReplaceUser', userId: USER_ID, attributes: { userName: 'bob' }, at });
      await pause(20);
      await user({ type: 'ReplaceUser', userId: USER_ID, attributes: { userName: 'cat' }, at });
      await pause(20);
      await waitUntilReadable(store, (await user({ type: 'DeleteUser', userId: USER_ID, at })).position!);

      const history = await audit.history(TENANT, 'User', USER_ID);
      expect(history.map((entry) => entry.type)).toEqual(['UserCreated', 'UserUpdated', 'UserUpdated', 'UserDeleted']);
      const times = history.map((entry) => Date.parse(entry.recordedAt));
      const between = (a: number, b: number) => new Date(Math.floor((times[a] + times[b]) / 2));

      expect(await audit.stateAsOf(TENANT, 'User', USER_ID, new Date(times[0] - 1))).toBeNull();
      expect(await audit.stateAsOf(TENANT, 'User', USER_ID, between(1, 2))).toMatchObject({ id: USER_ID, userName: 'bob', meta: { version: 'W/"1"' } });
      expect(await audit.stateAsOf(TENANT, 'User', USER_ID, new Date(times[3]))).toBeNull();

      expect(await audit.verify(TENANT)).toMatchObject({ ok: true, eventsChecked: 4 });
      const lines: string[] = [];
      for await (const line of audit.export(TENANT)) lines.push(line);
      expect(lines).toHaveLength(4);

      await pool.query(`UPDATE ${EVENTS_TABLE} SET metadata = jsonb_set(metadata, '{sourceIp}', '"192.0.2.1"') WHERE event_id = $1`, [history[2].eventId]);
      expect((await audit.verify(TENANT)).problems.map((problem) => `${problem.kind}@${problem.revision}`)).toEqual(['hash-mismatch@2', 'broken-link@3']);
    });
  });
}
