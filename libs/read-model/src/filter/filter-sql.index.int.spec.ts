import { parseFilter } from '#scim/filter/filter.parser.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { buildUserSearchStatements, UsersQuery } from '../users.query.js';
import { openPgliteReadModel, openServerReadModel, type TestReadModelDatabase } from './read-model-database.test-support.js';

/**
 * Entra matches users by `userName eq`, then `externalId eq`, often `emails[type eq "work"].value eq` or `employeeNumber eq`
 * (ENTRA.md "A provisioning cycle"): each of these must be an index lookup at 100,000 users in one tenant,
 * the worst case for the tenant prefix of every index. The plans checked are those of the statements
 * UsersQuery.search runs (count and page).
 */

const USERS = 100_000;
const TENANT = 'tenant-large';
const registry = new SchemaRegistry();

/**
 * 100,000 users in one statement. The hot columns are derived the way the row writer derives them (USER_COLUMNS in user-columns.ts,
 * deriveUserColumns); all values are ASCII, where lower() and String#toLowerCase agree.
 */
async function insertUsers(database: TestReadModelDatabase): Promise<void> {
  // No WAL for a table the test throws away: PGlite inserts about twice as fast, and plans do not change.
  await database.query('ALTER TABLE scim_users SET UNLOGGED');
  await database.query(
    `INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, active, work_emails_lower,
       employee_number, employee_number_lower, attributes, version, created_at, last_modified_at)
     SELECT $1, md5(n::text)::uuid, user_name, lower(user_name), external_id, 'User ' || n, n % 10 <> 0, ARRAY[lower(work_email)],
       employee_number, lower(employee_number),
       jsonb_build_object(
         'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
         'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', jsonb_build_object('employeeNumber', employee_number),
         'userName', user_name, 'externalId', external_id, 'displayName', 'User ' || n, 'active', n % 10 <> 0,
         'emails', jsonb_build_array(
           jsonb_build_object('value', work_email, 'type', 'work', 'primary', true),
           jsonb_build_object('value', 'home' || n || '@example.org', 'type', 'home'))),
       1, timestamptz '2025-01-01' + n * interval '1 second', timestamptz '2025-01-01' + n * interval '1 second'
     FROM generate_series(1, $2::int) AS n,
       LATERAL (SELECT 'Test_User_' || n || '@Contoso.com' AS user_name, md5('external' || n)::uuid::text AS external_id,
         'Work.User' || n || '@Contoso.com' AS work_email, 'E' || lpad(n::text, 6, '0') AS employee_number) AS generated`,
    [TENANT, USERS],
  );
  // A few users in another tenant.
  await database.query(
    `INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, attributes, version, created_at, last_modified_at)
     SELECT 'tenant-small', md5(n::text)::uuid, 'Test_User_' || n || '@Contoso.com', lower('Test_User_' || n || '@Contoso.com'),
       jsonb_build_object('userName', 'Test_User_' || n || '@Contoso.com'), 1, now(), now()
     FROM generate_series(1, 100) AS n`,
  );
  await database.query('ANALYZE scim_users');
}

const ENTRA_FILTERS = [
  { name: 'userName eq', filter: (n: number) => `userName eq "test_user_${n}@contoso.com"`, index: 'scim_users_user_name_lower' },
  { name: 'externalId eq', filter: (n: number) => `externalId eq "${externalIdOf(n)}"`, index: 'scim_users_external_id' },
  { name: 'emails[type eq "work"].value eq', filter: (n: number) => `emails[type eq "work"].value eq "WORK.USER${n}@contoso.com"`, index: 'scim_users_work_emails_lower' },
  // Entra maps the enterprise employeeNumber by default (user-columns.ts; a hash index: the value is not bounded).
  { name: 'employeeNumber eq', filter: (n: number) => `employeeNumber eq "e${String(n).padStart(6, '0')}"`, index: 'scim_users_employee_number_lower' },
];

/** The generated externalId of user n: md5('external' || n) as a uuid. */
let externalIds: Map<number, string>;
function externalIdOf(n: number): string {
  return externalIds.get(n)!;
}

async function planOf(database: TestReadModelDatabase, statement: { sql: string; params: readonly unknown[] }): Promise<string> {
  const rows = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.sql}`, statement.params);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function checkIndexUse(database: TestReadModelDatabase): Promise<void> {
  let started = Date.now();
  await insertUsers(database);
  const lines = [`filter-sql index (${database.description}): inserted and analysed ${USERS} users in ${Date.now() - started} ms`];
  const sample = [1, 4242, 99_999];
  externalIds = new Map(
    (await database.query<{ n: number; external_id: string }>(
      `SELECT n, md5('external' || n)::uuid::text AS external_id FROM unnest($1::int[]) AS n`,
      [[...sample, ...Array.from({ length: 200 }, (_, index) => 1 + ((index * 7919) % USERS))]],
    )).map((row) => [Number(row.n), row.external_id]),
  );
  const query = new UsersQuery({ query: async <Result>(sql: string, params?: unknown[]) => (await database.query(sql, params)) as Result }, registry);

  for (const { name, filter, index } of ENTRA_FILTERS) {
    const statements = buildUserSearchStatements(TENANT, parseFilter(filter(4242)), 1, 100, undefined, registry);
    // What the gateway runs: `search` (its count and its page each use the index) and, for count=0, `count`.
    const indexScans = new RegExp(`(Index Scan|Index Only Scan|Bitmap Index Scan) (using|on) ${index}\\b`, 'g');
    for (const [statement, scans] of [[statements.search, 2], [statements.count, 1]] as const) {
      const plan = await planOf(database, statement);
      lines.push(`${name}:\n${plan}`);
      expect(plan.match(indexScans)?.length ?? 0).toBeGreaterThanOrEqual(scans);
      expect(plan).not.toMatch(/Seq Scan/);
    }
    // And the answer is right: exactly that user.
    for (const n of sample) {
      const page = await query.search(TENANT, { filter: parseFilter(filter(n)), startIndex: 1, count: 10 });
      expect(page.totalResults).toBe(1);
      expect(page.resources[0].attributes['userName']).toBe(`Test_User_${n}@Contoso.com`);
    }
    // Latency of the whole search (count + page) as the gateway runs it, over 200 different users.
    const durations: number[] = [];
    for (const n of externalIds.keys()) {
      started = performance.now();
      await query.search(TENANT, { filter: parseFilter(filter(n)), startIndex: 1, count: 100 });
      durations.push(performance.now() - started);
    }
    durations.sort((left, right) => left - right);
    lines.push(`${name}: p50 ${percentile(durations, 0.5).toFixed(2)} ms, p99 ${percentile(durations, 0.99).toFixed(2)} ms over ${durations.length} searches`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

describe('Entra matching filters use an index at 100,000 users', () => {
  it('on PGlite', async () => {
    const database = await openPgliteReadModel();
    try {
      await checkIndexUse(database);
    } finally {
      await database.close();
    }
  }, 180_000);

  const databaseUrl = process.env['DATABASE_URL'];
  (databaseUrl ? it : it.skip)('on the PostgreSQL server at DATABASE_URL', async () => {
    const database = await openServerReadModel(databaseUrl!);
    try {
      await checkIndexUse(database);
    } finally {
      await database.close();
    }
  }, 180_000);
});
