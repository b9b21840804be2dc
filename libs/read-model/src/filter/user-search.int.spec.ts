import { compileFilter } from '#scim/filter/filter.evaluator.js';
import { parseFilter } from '#scim/filter/filter.parser.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { BARBARA_JENSEN } from '../../../scim/test-fixtures/rfc7643-users.test-support.js';
import { upsertUsers } from '../user-rows.js';
import { buildUserSearchStatements, UsersQuery } from '../users.query.js';
import { openPgliteReadModel, type TestReadModelDatabase } from './read-model-database.test-support.js';
import { TEST_EXTENSION_URN, TEST_REGISTRY } from './user-filter-arbitraries.test-support.js';

/**
 * UsersQuery.search on PGlite with the RFC's own examples: the filters of RFC 7644 §3.4.2.2 over the User of
 * RFC 7643 §8.3 and two others, against the evaluator; then sorting (RFC 7644 §3.4.2.3) and paging (§3.4.2.4).
 */

const TENANT = 'tenant-rfc';
const registry = new SchemaRegistry();
const { id: _id, meta, ...barbaraAttributes } = BARBARA_JENSEN;

const USERS: readonly { id: string; attributes: Record<string, unknown>; created: string }[] = [
  { id: BARBARA_JENSEN.id, attributes: barbaraAttributes, created: meta.created },
  {
    id: '902c246b-6245-4190-8e05-00816be7344a',
    attributes: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'mpepperidge',
      name: { familyName: "O'Malley", givenName: 'Mandy' },
      userType: 'Intern',
      emails: [
        { value: 'mandy@example.org', type: 'home' },
        { value: 'mandy@foo.com', type: 'work', primary: true },
      ],
      ims: [{ value: 'mandy@foo.com', type: 'xmpp' }],
    },
    created: '2012-03-04T05:06:07Z',
  },
  {
    id: '3ef7e0a1-44cd-4c8d-8b3a-5b1a3e3a1f10',
    attributes: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'Jsmith', title: '', active: false },
    created: '2009-01-01T00:00:00Z',
  },
];

let database: TestReadModelDatabase;
let query: UsersQuery;

beforeAll(async () => {
  database = await openPgliteReadModel();
  query = new UsersQuery({ query: async <Result>(sql: string, params?: unknown[]) => (await database.query(sql, params)) as Result }, registry);
  await upsertUsers(
    database,
    USERS.map((user) => ({ tenantId: TENANT, id: user.id, attributes: user.attributes, version: 1n, createdAt: user.created, lastModifiedAt: meta.lastModified })),
  );
}, 60_000);

afterAll(async () => {
  await database.close();
});

const evaluatedIds = (filter: string): string[] => {
  const matches = compileFilter(parseFilter(filter), registry, 'User');
  return USERS.filter((user) =>
    matches({ ...user.attributes, id: user.id, meta: { resourceType: 'User', created: user.created, lastModified: meta.lastModified, version: 'W/"1"' } }),
  )
    .map((user) => user.id)
    .sort();
};

describe('RFC 7644 §3.4.2.2 filter examples: SQL and evaluator agree', () => {
  it.each([
    'userName eq "bjensen"',
    `name.familyName co "O'Malley"`,
    'userName sw "J"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    // Entra's forms (ENTRA.md).
    'emails[type eq "work"].value eq "BJensen@Example.com"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"',
    'externalId eq 701984',
  ])('%s', async (filter) => {
    const page = await query.search(TENANT, { filter: parseFilter(filter), startIndex: 1, count: 10 });
    expect(page.resources.map((resource) => resource.id).sort()).toEqual(evaluatedIds(filter));
  });

  it('no match is an empty page, not an error (RFC 7644 §3.4.2)', async () => {
    const page = await query.search(TENANT, { filter: parseFilter('userName eq "AzureAD_Test-1b7d"'), startIndex: 1, count: 100 });
    expect(page).toEqual({ totalResults: 0, resources: [] });
  });

  it('never returns another tenant\'s users', async () => {
    const page = await query.search('another-tenant', { filter: parseFilter('userName pr'), startIndex: 1, count: 100 });
    expect(page.totalResults).toBe(0);
  });
});

describe('sortBy and sortOrder (RFC 7644 §3.4.2.3)', () => {
  const BARBARA = BARBARA_JENSEN.id;
  const MANDY = USERS[1].id;
  const JOHN = USERS[2].id;

  it.each<[string, 'ascending' | 'descending' | undefined, string[]]>([
    // Case-insensitive (caseExact=false): bjensen, Jsmith, mpepperidge.
    ['userName', undefined, [BARBARA, JOHN, MANDY]],
    ['userName', 'descending', [MANDY, JOHN, BARBARA]],
    // Without a value last when ascending, first when descending ("" counts as no value); ties by creation.
    ['title', 'ascending', [BARBARA, JOHN, MANDY]],
    ['name.familyName', 'descending', [JOHN, MANDY, BARBARA]],
    // A multi-valued attribute sorts by its primary value: bjensen@example.com, mandy@foo.com.
    ['emails', 'ascending', [BARBARA, MANDY, JOHN]],
    // Ties (both primary emails are work) fall back to creation order.
    ['emails.type', 'descending', [JOHN, BARBARA, MANDY]],
    ['meta.created', 'ascending', [JOHN, BARBARA, MANDY]],
  ])('sortBy=%s sortOrder=%s', async (sortBy, sortOrder, expected) => {
    const page = await query.search(TENANT, { sort: { sortBy, ...(sortOrder ? { sortOrder } : {}) }, startIndex: 1, count: 10 });
    expect(page.resources.map((resource) => resource.id)).toEqual(expected);
  });

  it('pages through a sorted result (RFC 7644 §3.4.2.4: startIndex is 1-based)', async () => {
    const sort = { sortBy: 'userName' } as const;
    const first = await query.search(TENANT, { sort, startIndex: 1, count: 2 });
    const second = await query.search(TENANT, { sort, startIndex: 3, count: 2 });
    expect(first.totalResults).toBe(3);
    expect([...first.resources, ...second.resources].map((resource) => resource.id)).toEqual([BARBARA, JOHN, MANDY]);
    expect(await query.search(TENANT, { sort, startIndex: 1, count: 0 })).toEqual({ totalResults: 3, resources: [] });
  });

  it('a page past the end is empty and still counts every match (one statement for total and page)', async () => {
    const sort = { sortBy: 'userName', sortOrder: 'descending' } as const;
    expect(await query.search(TENANT, { sort, startIndex: 4, count: 2 })).toEqual({ totalResults: 3, resources: [] });
    expect(await query.search(TENANT, { filter: parseFilter('userName sw "J"'), startIndex: 2, count: 5 })).toEqual({ totalResults: 1, resources: [] });
    expect(await query.search(TENANT, { filter: parseFilter('userName sw "J"'), startIndex: 1_000_000, count: 5 })).toEqual({ totalResults: 1, resources: [] });
    const last = await query.search(TENANT, { sort, startIndex: 3, count: 2 });
    expect(last.totalResults).toBe(3);
    expect(last.resources.map((resource) => resource.id)).toEqual([BARBARA]);
  });
});

describe('a filter that reads the jsonb is tested once for the total and the page (MATERIALIZED keys)', () => {
  const BARBARA = BARBARA_JENSEN.id;
  const MANDY = USERS[1].id;
  const JOHN = USERS[2].id;
  // `title` has no column: every row's document is read.
  const everyone = () => parseFilter('not (title eq "nobody has this title")');

  it('is the statement used for such a filter, and only for such a filter', () => {
    expect(buildUserSearchStatements(TENANT, everyone(), 1, 2, undefined, registry).search.sql).toContain('WITH matched AS MATERIALIZED');
    expect(buildUserSearchStatements(TENANT, parseFilter('userName sw "J"'), 1, 2, undefined, registry).search.sql).not.toContain('MATERIALIZED');
  });

  it('sorts, pages and counts as the plain statement does', async () => {
    for (const sort of [{ sortBy: 'userName' }, { sortBy: 'title', sortOrder: 'ascending' }] as const) {
      const first = await query.search(TENANT, { filter: everyone(), sort, startIndex: 1, count: 2 });
      const second = await query.search(TENANT, { filter: everyone(), sort, startIndex: 3, count: 2 });
      expect(first.totalResults).toBe(3);
      expect(second.totalResults).toBe(3);
      // Both orders happen to agree (see the sortBy table above).
      expect([...first.resources, ...second.resources].map((resource) => resource.id)).toEqual([BARBARA, JOHN, MANDY]);
    }
    expect((await query.search(TENANT, { filter: everyone(), startIndex: 1, count: 10 })).resources.map((resource) => resource.id)).toEqual(
      (await query.search(TENANT, { startIndex: 1, count: 10 })).resources.map((resource) => resource.id),
    );
    expect(await query.search(TENANT, { filter: everyone(), startIndex: 4, count: 2 })).toEqual({ totalResults: 3, resources: [] });
    expect(await query.search(TENANT, { filter: everyone(), startIndex: 1, count: 0 })).toEqual({ totalResults: 3, resources: [] });
    expect((await query.search('another-tenant', { filter: everyone(), startIndex: 1, count: 10 })).totalResults).toBe(0);
  });
});

describe('RFC 7643 §2.3.5: a day the month lacks is not a dateTime', () => {
  const TENANT_DATES = 'tenant-dates';
  const IMPOSSIBLE = '6b3f1c0e-0000-4000-8000-000000000001';
  const REAL = '6b3f1c0e-0000-4000-8000-000000000002';

  it('matches no comparison, in SQL and in the evaluator', async () => {
    const stored = [
      { id: IMPOSSIBLE, hiredAt: '2021-02-30T00:00:00Z' },
      { id: REAL, hiredAt: '2021-03-02T00:00:00Z' },
    ];
    await upsertUsers(
      database,
      stored.map(({ id, hiredAt }) => ({
        tenantId: TENANT_DATES,
        id,
        attributes: { userName: id, [TEST_EXTENSION_URN]: { hiredAt } },
        version: 1n,
        createdAt: meta.created,
        lastModifiedAt: meta.lastModified,
      })),
    );
    const withDates = new UsersQuery({ query: async <Result>(sql: string, params?: unknown[]) => (await database.query(sql, params)) as Result }, TEST_REGISTRY);
    const filter = parseFilter('hiredAt ge "2021-03-01T00:00:00Z"');

    const page = await withDates.search(TENANT_DATES, { filter, startIndex: 1, count: 10 });
    expect(page.resources.map((resource) => resource.id)).toEqual([REAL]);

    // The evaluator agrees: an impossible date is no dateTime, so it matches no comparison.
    const matches = compileFilter(filter, TEST_REGISTRY, 'User');
    expect(matches({ [TEST_EXTENSION_URN]: { hiredAt: '2021-02-30T00:00:00Z' } })).toBe(false);
    // Presence is unaffected: the value is there, only not a date.
    expect((await withDates.search(TENANT_DATES, { filter: parseFilter('hiredAt pr'), startIndex: 1, count: 10 })).totalResults).toBe(2);
  });
});
