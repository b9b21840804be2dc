import { parseFilter } from '#scim/filter/filter.parser.js';
import { openPgliteReadModel, openServerReadModel, type TestReadModelDatabase } from './filter/read-model-database.test-support.js';
import { GroupsQuery } from './groups.query.js';

/**
 * GroupsQuery.search: the total and the page come from one statement (buildSearchStatements), so the total must
 * stay exact on every page, including an empty one past the end, and the page order must be the requested one.
 */

const TENANT = 'tenant-groups';
const GROUPS = [
  { id: '00000000-0000-4000-8000-000000000003', displayName: 'Sales', created: '2026-01-01T00:00:00Z', members: ['m-1', 'm-2'] },
  { id: '00000000-0000-4000-8000-000000000001', displayName: 'admins', created: '2026-01-02T00:00:00Z', members: [] },
  { id: '00000000-0000-4000-8000-000000000002', displayName: 'Support', created: '2026-01-03T00:00:00Z', members: ['m-2'] },
];
const [SALES, ADMINS, SUPPORT] = GROUPS.map((group) => group.id);

const backends: [string, () => Promise<TestReadModelDatabase>][] = [['PGlite', openPgliteReadModel]];
if (process.env.DATABASE_URL) backends.push(['PostgreSQL', () => openServerReadModel(process.env.DATABASE_URL!)]);

describe.each(backends)('GroupsQuery.search on %s', (_name, open) => {
  let database: TestReadModelDatabase;
  let query: GroupsQuery;

  beforeAll(async () => {
    database = await open();
    query = new GroupsQuery({ query: async <Result>(sql: string, params?: unknown[]) => (await database.query(sql, params)) as Result });
    for (const group of [...GROUPS, { ...GROUPS[0], id: '00000000-0000-4000-8000-0000000000ff' }].map((g, i) => ({ ...g, tenant: i < 3 ? TENANT : 'another' }))) {
      await database.query(
        `INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, attributes, version, created_at, last_modified_at)
         VALUES ($1, $2, $3, lower($3), NULL, $4, 1, $5, $5)`,
        [group.tenant, group.id, group.displayName, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: group.displayName }, group.created],
      );
      for (const member of group.members) {
        await database.query(`INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type, display) VALUES ($1, $2, $3, 'User', NULL)`, [
          group.tenant,
          group.id,
          member,
        ]);
      }
    }
  }, 60_000);

  afterAll(async () => {
    await database?.close();
  });

  const ids = (page: { resources: readonly { id: string }[] }) => page.resources.map((resource) => resource.id);

  it('orders by creation without sortBy, by displayName (case-insensitive) with it', async () => {
    expect(ids(await query.search(TENANT, { startIndex: 1, count: 10 }))).toEqual([SALES, ADMINS, SUPPORT]);
    expect(ids(await query.search(TENANT, { sort: { sortBy: 'displayName' }, startIndex: 1, count: 10 }))).toEqual([ADMINS, SALES, SUPPORT]);
    expect(ids(await query.search(TENANT, { sort: { sortBy: 'displayName', sortOrder: 'descending' }, startIndex: 1, count: 10 }))).toEqual([SUPPORT, SALES, ADMINS]);
  });

  it('pages with an exact total, also past the end and with count=0 (RFC 7644 §3.4.2.4)', async () => {
    const sort = { sortBy: 'displayName' } as const;
    const second = await query.search(TENANT, { sort, startIndex: 2, count: 1 });
    expect({ total: second.totalResults, ids: ids(second) }).toEqual({ total: 3, ids: [SALES] });
    const last = await query.search(TENANT, { sort, startIndex: 3, count: 5 });
    expect({ total: last.totalResults, ids: ids(last) }).toEqual({ total: 3, ids: [SUPPORT] });
    expect(await query.search(TENANT, { sort, startIndex: 4, count: 5 })).toEqual({ totalResults: 3, resources: [] });
    expect(await query.search(TENANT, { filter: parseFilter('displayName sw "S"'), startIndex: 3, count: 5 })).toEqual({ totalResults: 2, resources: [] });
    expect(await query.search(TENANT, { filter: parseFilter('displayName sw "S"'), startIndex: 1, count: 0 })).toEqual({ totalResults: 2, resources: [] });
    expect(await query.search(TENANT, { filter: parseFilter('displayName eq "nobody"'), startIndex: 1, count: 5 })).toEqual({ totalResults: 0, resources: [] });
  });

  it('loads the members of the page only when asked, and never another tenant\'s groups', async () => {
    const withMembers = await query.search(TENANT, { filter: parseFilter('displayName sw "S"'), startIndex: 1, count: 10, includeMembers: true });
    expect(withMembers.totalResults).toBe(2);
    expect(withMembers.resources.map((group) => [group.id, group.members?.map((member) => member.value)])).toEqual([
      [SALES, ['m-1', 'm-2']],
      [SUPPORT, ['m-2']],
    ]);
    const without = await query.search(TENANT, { filter: parseFilter('displayName eq "Sales"'), startIndex: 1, count: 10, includeMembers: false });
    expect(without.totalResults).toBe(1);
    expect(without.resources[0].members).toBeUndefined();
  });
});
