import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openPgliteReadModel, openServerReadModel, type TestReadModelDatabase } from './filter/read-model-database.test-support.js';
import { buildMemberPageStatement, GroupsQuery } from './groups.query.js';

/**
 * GroupsQuery.memberPage and memberCounts over a group of 100,000 members (the console's group page, docs/admin.md
 * "Directory"): exact totals, stable order, the last page as well as the first, and plans that walk the members
 * table's primary key instead of reading or sorting the table.
 */

const TENANT = 'tenant-members';
const BIG = '00000000-0000-4000-8000-00000000b16a';
const SMALL = '00000000-0000-4000-8000-0000000005aa';
const EMPTY = '00000000-0000-4000-8000-00000000e000';
const MEMBERS = 100_000;
const memberId = (n: number) => `user-${String(n).padStart(6, '0')}`;

const backends: [string, () => Promise<TestReadModelDatabase>][] = [['PGlite', openPgliteReadModel]];
if (process.env.DATABASE_URL) backends.push(['PostgreSQL', () => openServerReadModel(process.env.DATABASE_URL!)]);

describe.each(backends)('GroupsQuery member pages of a 100,000-member group on %s', (name, open) => {
  let database: TestReadModelDatabase;
  let query: GroupsQuery;

  beforeAll(async () => {
    database = await open();
    query = new GroupsQuery({ query: async <Result>(sql: string, params?: unknown[]) => (await database.query(sql, params)) as Result });
    await database.query(
      `INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type, display)
       SELECT $1, $2::uuid, 'user-' || lpad(n::text, 6, '0'), 'User', 'Member ' || n FROM generate_series(1, $3::int) AS n`,
      [TENANT, BIG, MEMBERS],
    );
    // Other groups, and the same group id in other tenants: four times as many rows, so the big group is a fifth of
    // the table (in a real deployment it is a far smaller part of it).
    await database.query(
      `INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type, display)
       SELECT $1, $2::uuid, 'user-' || lpad(n::text, 6, '0'), 'User', NULL FROM generate_series(1, 3) AS n`,
      [TENANT, SMALL],
    );
    await database.query(
      `INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type, display)
       SELECT 'tenant-' || (n % 100), $1::uuid, 'other-' || n, 'User', NULL FROM generate_series(1, $2::int) AS n`,
      [BIG, 4 * MEMBERS],
    );
    await database.query(`VACUUM ANALYZE scim_group_members`);
  }, 300_000);

  afterAll(async () => {
    await database?.close();
  });

  const values = (page: { members: readonly { value: string }[] }) => page.members.map((member) => member.value);

  it('answers the first page, a middle one and the last with the exact total, in member id order', async () => {
    const first = await query.memberPage(TENANT, BIG, 1, 50);
    expect(first.totalResults).toBe(MEMBERS);
    expect(values(first)).toEqual(Array.from({ length: 50 }, (_, i) => memberId(i + 1)));
    expect(first.members[0]).toEqual({ value: memberId(1), type: 'User', display: 'Member 1', name: null });

    const middle = await query.memberPage(TENANT, BIG, 50_001, 3);
    expect(values(middle)).toEqual([memberId(50_001), memberId(50_002), memberId(50_003)]);

    const started = performance.now();
    const last = await query.memberPage(TENANT, BIG, MEMBERS - 49, 50);
    const lastMs = performance.now() - started;
    expect(last.totalResults).toBe(MEMBERS);
    expect(values(last)).toEqual(Array.from({ length: 50 }, (_, i) => memberId(MEMBERS - 49 + i)));
    console.info(`${name}: member page at startIndex ${MEMBERS - 49} of ${MEMBERS} took ${lastMs.toFixed(1)} ms`);
  });

  it('past the end, count 0, an empty or unknown group, another tenant: the total stays exact, the page empty', async () => {
    expect(await query.memberPage(TENANT, BIG, MEMBERS + 1, 50)).toEqual({ totalResults: MEMBERS, members: [] });
    expect(await query.memberPage(TENANT, BIG, 1, 0)).toEqual({ totalResults: MEMBERS, members: [] });
    expect(await query.memberPage(TENANT, SMALL, 2, 50)).toEqual({
      totalResults: 3,
      members: [memberId(2), memberId(3)].map((value) => ({ value, type: 'User', display: null, name: null })),
    });
    expect(await query.memberPage(TENANT, EMPTY, 1, 50)).toEqual({ totalResults: 0, members: [] });
    expect(await query.memberPage(TENANT, 'not-a-uuid', 1, 50)).toEqual({ totalResults: 0, members: [] });
    expect((await query.memberPage('tenant-7', BIG, 1, 50)).totalResults).toBe(4_000);
  });

  it('names each member of the page by its current userName or displayName', async () => {
    const mixed = '00000000-0000-4000-8000-00000000a1c0';
    const user = '00000000-0000-4000-8000-0000000000a1';
    const group = '00000000-0000-4000-8000-0000000000b2';
    const gone = '00000000-0000-4000-8000-0000000000c3';
    await database.query(
      `INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, attributes, version, created_at, last_modified_at)
       VALUES ($1, $2, 'Ann@Contoso.com', 'ann@contoso.com', '{}', 0, now(), now()), ('another', $3, 'not-this-tenant', 'not-this-tenant', '{}', 0, now(), now())`,
      [TENANT, user, gone],
    );
    await database.query(
      `INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, attributes, version, created_at, last_modified_at)
       VALUES ($1, $2, 'Sales', 'sales', '{}', 0, now(), now())`,
      [TENANT, group],
    );
    await database.query(
      `INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type, display)
       VALUES ($1, $2, $3, 'User', NULL), ($1, $2, $4, 'Group', 'old name'), ($1, $2, $5, 'User', NULL), ($1, $2, 'not-a-uuid', NULL, NULL)`,
      [TENANT, mixed, user, group, gone],
    );
    expect(await query.memberPage(TENANT, mixed, 1, 10)).toEqual({
      totalResults: 4,
      members: [
        { value: user, type: 'User', display: null, name: 'Ann@Contoso.com' },
        { value: group, type: 'Group', display: 'old name', name: 'Sales' },
        { value: gone, type: 'User', display: null, name: null },
        { value: 'not-a-uuid', type: null, display: null, name: null },
      ],
    });
  });

  it('counts the members of a list page up to a cap', async () => {
    const counts = await query.memberCounts(TENANT, [BIG, SMALL, EMPTY, 'not-a-uuid'], 1_000);
    expect(Object.fromEntries(counts)).toEqual({
      [BIG]: { count: 1_000, capped: true },
      [SMALL]: { count: 3, capped: false },
      [EMPTY]: { count: 0, capped: false },
    });
    expect(await query.memberCounts(TENANT, [], 1_000)).toEqual(new Map());
  });

  it('walks the primary key for the count and the page: no sequential scan, no sort but of the page', async () => {
    const statement = buildMemberPageStatement(TENANT, BIG, MEMBERS - 49, 50);
    const rows = await database.query<Record<string, string>>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${statement.sql}`, [...statement.params]);
    const plan = rows.map((row) => Object.values(row)[0]).join('\n');
    console.info(`${name}: plan of the last member page\n${plan}`);
    expect(plan).toMatch(/Index Only Scan using scim_group_members_pkey/);
    expect(plan).not.toMatch(/Seq Scan/);
    // The only sort is of the page's own rows.
    for (const sorted of plan.matchAll(/Sort \(actual rows=([\d.]+)/g)) expect(Number(sorted[1])).toBeLessThanOrEqual(50);
  });
});
