import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openPgliteReadModel, openServerReadModel, type TestReadModelDatabase } from './filter/read-model-database.test-support.js';
import { backfillUserColumns, deriveUserColumns, USER_COLUMNS, type UserColumn } from './user-columns.js';
import { upsertUsers } from './user-rows.js';

/**
 * The migrations (which never change once released) and the table of user columns (which the row writer and the
 * filter compiler follow) must say the same thing: each column exists with its type, each index with its method.
 * And the backfill a migration runs writes what the row writer writes.
 */
const SQL_TYPES: Record<UserColumn['sqlType'], string> = { text: 'text', boolean: 'bool', 'text[]': '_text' };

const USERS = Array.from({ length: 7 }, (_, index) => ({
  tenantId: index % 2 === 0 ? 'tenant-a' : 'tenant-b',
  id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
  attributes: {
    userName: `User${index}@Contoso.com`,
    ...(index % 3 === 0 ? {} : { externalId: `ext-${index}`, displayName: `User ${index}`, active: index % 2 === 0 }),
    emails: [{ type: 'Work', value: `Work${index}@Contoso.com` }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: `E-${index}` },
  },
  version: 1n,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastModifiedAt: '2026-01-01T00:00:00.000Z',
}));

describe.each([
  ['PGlite', () => openPgliteReadModel()],
  ...(process.env['DATABASE_URL'] ? [['the PostgreSQL server at DATABASE_URL', () => openServerReadModel(process.env['DATABASE_URL']!)] as const] : []),
])('user columns on %s', (_backend, open) => {
  let database: TestReadModelDatabase;
  beforeAll(async () => {
    database = await open();
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('the migrated scim_users has every column of the table with its type', async () => {
    const rows = await database.query<{ column_name: string; udt_name: string }>(
      `SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = 'scim_users'`,
    );
    const types = new Map(rows.map((row) => [row.column_name, row.udt_name]));
    for (const column of USER_COLUMNS) expect([column.name, types.get(column.name)]).toEqual([column.name, SQL_TYPES[column.sqlType]]);
  });

  it('and every index of the table, with its method, on its column', async () => {
    const rows = await database.query<{ indexname: string; indexdef: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'scim_users'`);
    const definitions = new Map(rows.map((row) => [row.indexname, row.indexdef]));
    for (const column of USER_COLUMNS as readonly UserColumn[]) {
      if (!column.index) continue;
      const definition = definitions.get(column.index.name) ?? `no index ${column.index.name}`;
      expect(definition).toMatch(new RegExp(`USING ${column.index.method} \\((tenant_id, )?${column.name}\\)`));
    }
  });

  it('the backfill writes what the row writer writes', async () => {
    await upsertUsers(database, USERS);
    const names = USER_COLUMNS.map((column) => column.name);
    const read = async () =>
      (await database.query<Record<string, unknown>>(`SELECT id::text AS id, ${names.join(', ')} FROM scim_users ORDER BY tenant_id, id`)).map((row) => ({ ...row }));
    const written = await read();
    expect(written.map((row) => row['id'])).toHaveLength(USERS.length);
    for (const row of written) {
      const user = USERS.find((candidate) => candidate.id === row['id'])!;
      expect(row).toEqual({ id: user.id, ...deriveUserColumns(user.attributes) });
    }
    // As a migration finds them: the columns at their defaults (user_name, NOT NULL without one: a stand-in).
    await database.query(
      `UPDATE scim_users SET ${names.map((name) => (name.startsWith('user_name') ? `${name} = '?'` : `${name} = DEFAULT`)).join(', ')}`,
    );
    expect(await read()).not.toEqual(written);
    await backfillUserColumns({ query: (sql, params) => database.query(sql, params) }, names, 3);
    expect(await read()).toEqual(written);
  });
});
