import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { streamNames } from '#domain/stream-names.js';
import type { EventStore, NewEvent } from '#event-store/event-store.port.js';
import { comparePositions } from '#event-store/event-store.port.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { openReadModelDataSource } from './read-model.data-source.js';
import { ReadModelProjection } from './read-model.projection.js';
import { rebuildReadModel } from './read-model.rebuild.js';
import { testEventMetadata } from '#testing/event-metadata.js';

const metadata = testEventMetadata('acme', '2026-11-23T10:00:00.000Z');
const event = (type: string, data: unknown): NewEvent => ({ id: randomUUID(), type, schemaVersion: 1, data, metadata });

describe.each(testDatabases().map((backend) => [backend.name, backend] as const))('rebuilding the read model on %s', (_name, backend) => {
  let database: TestDatabase;
  let store: EventStore;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await backend.start();
    store = await PostgresEventStore.create(database.connectionString, { poolSize: 2 });
    dataSource = await openReadModelDataSource({ connectionString: database.connectionString, poolSize: 2 });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await store?.close();
    await database?.stop();
  });

  it('rebuilds from the log into fresh tables, switches to them, and keeps the old ones aside', async () => {
    const users = [randomUUID(), randomUUID(), randomUUID()];
    const groupId = randomUUID();
    for (const [index, userId] of users.entries()) {
      await store.appendToStream({
        streamName: streamNames.user('acme', userId),
        expectedRevision: 'no-stream',
        events: [event('UserCreated', { userId, attributes: { userName: `user${index}@acme.test`, active: true }, at: metadata.occurredAt })],
      });
    }
    await store.appendToStream({
      streamName: streamNames.group('acme', groupId),
      expectedRevision: 'no-stream',
      events: [
        event('GroupCreated', { groupId, attributes: { displayName: 'Rebuilt' }, at: metadata.occurredAt }),
        event('GroupMembersAdded', { groupId, members: users.map((value) => ({ value })), at: metadata.occurredAt }),
      ],
    });
    // The live read model, then damaged: a lost row, a wrong name.
    const live = new ReadModelProjection(dataSource);
    const all = await store.readAll({ after: await live.loadCheckpoint(), maxCount: 100 });
    await live.apply(all, all[all.length - 1].position);
    await dataSource.query(`DELETE FROM scim_users WHERE id = $1`, [users[0]]);
    await dataSource.query(`UPDATE scim_groups SET display_name = 'Damaged'`);

    const result = await rebuildReadModel({ connectionString: database.connectionString, store, now: () => new Date('2026-11-23T12:00:00Z') });

    expect(result.events).toBe(5);
    expect(result.previousSchema).toBe('read_model_previous_20261123120000');
    expect(comparePositions(result.checkpoint, await store.headPosition())).toBe(0);
    const rows: { id: string }[] = await dataSource.query(`SELECT id FROM scim_users ORDER BY user_name`);
    expect(rows.map((row) => row.id)).toEqual(users);
    expect(await dataSource.query(`SELECT display_name FROM scim_groups`)).toEqual([{ display_name: 'Rebuilt' }]);
    expect(Number((await dataSource.query(`SELECT count(*) AS n FROM scim_group_members`))[0].n)).toBe(3);
    expect(comparePositions(await live.loadCheckpoint(), result.checkpoint)).toBe(0);
    // The damaged tables are kept for comparison or rollback; the work schema is gone.
    expect(Number((await dataSource.query(`SELECT count(*) AS n FROM ${result.previousSchema}.scim_users`))[0].n)).toBe(2);
    expect(await dataSource.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = 'read_model_rebuild'`)).toEqual([]);
    // The live projection carries on from the rebuilt checkpoint on the new tables.
    const userId = randomUUID();
    await store.appendToStream({
      streamName: streamNames.user('acme', userId),
      expectedRevision: 'no-stream',
      events: [event('UserCreated', { userId, attributes: { userName: 'after@acme.test' }, at: metadata.occurredAt })],
    });
    const next = await store.readAll({ after: await live.loadCheckpoint(), maxCount: 100 });
    await live.apply(next, next[next.length - 1].position);
    expect(Number((await dataSource.query(`SELECT count(*) AS n FROM scim_users`))[0].n)).toBe(4);
  });
});
