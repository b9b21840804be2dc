import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { GlobalPosition, RecordedEvent } from '#event-store/event-store.port.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { openReadModelDataSource } from './read-model.data-source.js';
import { ReadModelProjection } from './read-model.projection.js';
import { testEventMetadata } from '#testing/event-metadata.js';

const AT = '2026-11-23T10:00:00.000Z';
const metadata = testEventMetadata('acme', AT);

let nextPrepare = 1n;
function recorded(type: string, data: Record<string, unknown>, revision: bigint, streamName = 'acme.user-x'): RecordedEvent {
  const prepare = nextPrepare++;
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata,
    streamName,
    revision,
    position: { commit: 1000n + prepare, prepare },
    recordedAt: new Date(AT),
  };
}
const created = (userId: string, userName: string, revision = 0n) => recorded('UserCreated', { userId, attributes: { userName }, at: AT }, revision);
const updated = (userId: string, userName: string, revision: bigint) =>
  recorded('UserUpdated', { userId, changes: [], attributes: { userName }, at: AT }, revision);
const deleted = (userId: string, revision: bigint) => recorded('UserDeleted', { userId, userName: 'gone', at: AT }, revision);
const reserved = (key: string) =>
  recorded('UniqueKeyReserved', { kind: 'userName', key, ownerId: randomUUID(), at: AT }, 0n, `acme.unique-userName-${key}`);
const last = (events: readonly RecordedEvent[]): GlobalPosition => events[events.length - 1].position;

describe.each(testDatabases().map((backend) => [backend.name, backend] as const))('ReadModelProjection on %s', (_name, backend) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let projection: ReadModelProjection;

  beforeAll(async () => {
    database = await backend.start();
    dataSource = await openReadModelDataSource({ connectionString: database.connectionString, poolSize: 2 });
  });
  beforeEach(async () => {
    await dataSource.query('DELETE FROM scim_users');
    await dataSource.query('DELETE FROM projection_checkpoints');
    projection = new ReadModelProjection(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.stop();
  });

  const userNames = async (): Promise<Record<string, string>> => {
    const rows: { id: string; user_name: string }[] = await dataSource.query('SELECT id, user_name FROM scim_users');
    return Object.fromEntries(rows.map((row) => [row.id, row.user_name]));
  };

  it('applies a batch of user changes and reservations, with its checkpoint, in one statement', async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const batch = [created(ann, 'ann'), reserved('ann'), created(bob, 'bob'), updated(ann, 'ann.b', 1n), updated(ann, 'ann.c', 2n)];
    const statements = jest.spyOn(pg.Client.prototype, 'query');
    const transaction = jest.spyOn(dataSource, 'transaction');
    try {
      await projection.apply(batch, last(batch));
      // One prepared statement on a pooled connection: parsed once per connection, its own transaction.
      expect(statements).toHaveBeenCalledTimes(1);
      expect(statements.mock.calls[0][0]).toMatchObject({ name: expect.stringMatching(/^stmt_/) });
      expect(transaction).not.toHaveBeenCalled();
    } finally {
      statements.mockRestore();
      transaction.mockRestore();
    }
    expect(await userNames()).toEqual({ [ann]: 'ann.c', [bob]: 'bob' });
    const [row] = await dataSource.query(`SELECT version::text AS version FROM scim_users WHERE id = $1`, [ann]);
    expect(row.version).toBe('2');
    expect(await projection.loadCheckpoint()).toEqual(last(batch));
  });

  it('a user created and deleted in one batch leaves no row; a later delete removes the row', async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const first = [created(ann, 'ann'), created(bob, 'bob'), deleted(ann, 1n)];
    await projection.apply(first, last(first));
    expect(await userNames()).toEqual({ [bob]: 'bob' });
    const second = [deleted(bob, 1n)];
    await projection.apply(second, last(second));
    expect(await userNames()).toEqual({});
    expect(await projection.loadCheckpoint()).toEqual(last(second));
  });

  it('a delete and a new create of the same id in one batch apply in their order', async () => {
    const ann = randomUUID();
    const first = [created(ann, 'ann')];
    await projection.apply(first, last(first));
    const second = [deleted(ann, 1n), created(ann, 'ann.again', 2n)];
    await projection.apply(second, last(second));
    expect(await userNames()).toEqual({ [ann]: 'ann.again' });
  });

  it('an event the row has already seen changes nothing (replay)', async () => {
    const ann = randomUUID();
    const batch = [created(ann, 'ann'), updated(ann, 'ann.b', 1n)];
    await projection.apply(batch, last(batch));
    await projection.apply([batch[0]], batch[0].position);
    expect(await userNames()).toEqual({ [ann]: 'ann.b' });
  });

  it('a batch that fails writes neither its rows nor its checkpoint', async () => {
    const ann = randomUUID();
    const good = [created(ann, 'ann')];
    await projection.apply(good, last(good));
    const bad = [updated(ann, 'ann.b', 1n), created('not-a-uuid', 'broken')];
    await expect(projection.apply(bad, last(bad))).rejects.toThrow();
    expect(await userNames()).toEqual({ [ann]: 'ann' });
    expect(await projection.loadCheckpoint()).toEqual(last(good));
  });
});
