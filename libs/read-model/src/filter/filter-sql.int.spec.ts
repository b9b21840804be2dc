import fc from 'fast-check';
import type { Filter } from '#scim/filter/filter.ast.js';
import { compileFilter } from '#scim/filter/filter.evaluator.js';
import { ScimError } from '#scim/scim-error.js';
import { upsertUsers } from '../user-rows.js';
import { UsersQuery } from '../users.query.js';
import { openPgliteReadModel, openServerReadModel, type TestReadModelDatabase } from './read-model-database.test-support.js';
import {
  evaluatedResource,
  filterArbitrary,
  sharedWalkArbitrary,
  formatFilter,
  TEST_REGISTRY,
  userArbitrary,
  userIdAt,
  type GeneratedUser,
} from './user-filter-arbitraries.test-support.js';
import { compileUserFilter } from './user-filter.sql.js';

/**
 * The filter-to-SQL compiler agrees with the in-memory evaluator (libs/scim, the reference semantics of
 * RFC 7644 §3.4.2.2): for random users and random filters, UsersQuery.search returns exactly the users
 * compileFilter accepts, or both refuse the filter with the same invalidFilter.
 *
 * Each run stores a fresh set of users through the projection's own upsert, then checks a batch of filters.
 * On a disagreement fast-check stops without shrinking (re-storing users for every shrink step takes minutes)
 * and prints its seed; the message carries a counterexample minimised here instead: one user the two sides
 * disagree on, and the smallest part of the filter that still disagrees.
 */

const RUNS = 6;
const USERS_PER_RUN = { minLength: 40, maxLength: 80 };
const FILTERS_PER_RUN = 500;
const TENANT = 'tenant-a';
const OTHER_TENANT = 'tenant-b';

interface StoredUser {
  readonly id: string;
  readonly user: GeneratedUser;
}

interface Outcome {
  readonly ids?: readonly string[];
  readonly error?: string;
}

interface Statistics {
  filters: number;
  refused: number;
  matchedSome: number;
  matchedAll: number;
  users: number;
}

async function storeUsers(database: TestReadModelDatabase, users: readonly StoredUser[]): Promise<void> {
  await database.query('TRUNCATE scim_users');
  const rows = users.map(({ id, user }) => ({
    tenantId: TENANT,
    id,
    attributes: user.attributes,
    version: BigInt(user.version),
    createdAt: user.created,
    lastModifiedAt: user.lastModified,
  }));
  // Another tenant holding the same ids with the same attributes: a search must never see it.
  const strangers = rows.slice(0, 5).map((row) => ({ ...row, tenantId: OTHER_TENANT }));
  await upsertUsers(database, [...rows, ...strangers]);
}

function expectedOutcome(filter: Filter, users: readonly StoredUser[]): Outcome {
  try {
    const matches = compileFilter(filter, TEST_REGISTRY, 'User');
    return { ids: users.flatMap(({ id, user }) => (matches(evaluatedResource(user, id)) ? [id] : [])).sort() };
  } catch (error) {
    return { error: describeError(error) };
  }
}

async function actualOutcome(query: UsersQuery, filter: Filter): Promise<Outcome> {
  try {
    const page = await query.search(TENANT, { filter, startIndex: 1, count: 1000 });
    const ids = page.resources.map((resource) => resource.id).sort();
    if (page.totalResults !== ids.length) return { error: `totalResults ${page.totalResults} but ${ids.length} resources` };
    // The page after the last match: empty, and totalResults still counts every match (RFC 7644 §3.4.2.4).
    const beyond = await query.search(TENANT, { filter, startIndex: ids.length + 1, count: 10 });
    if (beyond.totalResults !== ids.length || beyond.resources.length !== 0) {
      return { error: `past the end: totalResults ${beyond.totalResults} and ${beyond.resources.length} resources, expected ${ids.length} and none` };
    }
    return { ids };
  } catch (error) {
    return { error: describeError(error) };
  }
}

function describeError(error: unknown): string {
  if (error instanceof ScimError) return `${error.scimType ?? error.status}: ${error.detail}`;
  return `unexpected ${String(error)}`;
}

function agree(expected: Outcome, actual: Outcome): boolean {
  return expected.error === actual.error && JSON.stringify(expected.ids) === JSON.stringify(actual.ids);
}

async function disagreement(database: TestReadModelDatabase, query: UsersQuery, filter: Filter, users: readonly StoredUser[]) {
  await storeUsers(database, users);
  const expected = expectedOutcome(filter, users);
  const actual = await actualOutcome(query, filter);
  return agree(expected, actual) ? undefined : { expected, actual };
}

/** The users the two sides disagree on (all of them when only one side refused the filter). */
function disputedUsers(users: readonly StoredUser[], expected: Outcome, actual: Outcome): StoredUser[] {
  if (expected.ids === undefined || actual.ids === undefined) return [...users];
  const disputed = new Set([
    ...expected.ids.filter((id) => !actual.ids!.includes(id)),
    ...actual.ids.filter((id) => !expected.ids!.includes(id)),
  ]);
  return users.filter(({ id }) => disputed.has(id));
}

/** Smaller filters to try in place of `filter`: its operands, recursively, a value filter keeping its `[...]`. */
function simplerFilters(filter: Filter): Filter[] {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return [
        filter.left,
        filter.right,
        ...simplerFilters(filter.left).map((left) => ({ ...filter, left })),
        ...simplerFilters(filter.right).map((right) => ({ ...filter, right })),
      ];
    case 'not':
      return [filter.filter, ...simplerFilters(filter.filter).map((inner) => ({ ...filter, filter: inner }))];
    case 'valuePath':
      return simplerFilters(filter.filter).map((inner) => ({ ...filter, filter: inner }));
    default:
      return [];
  }
}

/** A smaller counterexample: one disputed user if one suffices, then sub-filters while they still disagree. */
async function minimise(
  database: TestReadModelDatabase,
  query: UsersQuery,
  filter: Filter,
  users: readonly StoredUser[],
  outcomes: { expected: Outcome; actual: Outcome },
) {
  let smallest = { filter, users: [...users], ...outcomes };
  for (const candidate of disputedUsers(users, outcomes.expected, outcomes.actual).slice(0, 5)) {
    const found = await disagreement(database, query, filter, [candidate]);
    if (found) {
      smallest = { filter, users: [candidate], ...found };
      break;
    }
  }
  for (let shrunk = true; shrunk; ) {
    shrunk = false;
    for (const candidate of simplerFilters(smallest.filter)) {
      const found = await disagreement(database, query, candidate, smallest.users);
      if (found) {
        smallest = { ...smallest, filter: candidate, ...found };
        shrunk = true;
        break;
      }
    }
  }
  return smallest;
}

function explainMismatch(counterexample: { filter: Filter; users: readonly StoredUser[]; expected: Outcome; actual: Outcome }): string {
  const { filter, users, expected, actual } = counterexample;
  let sql: string;
  try {
    const fragment = compileUserFilter(filter, 2, TEST_REGISTRY);
    sql = `${fragment.sql}\nparams: ${JSON.stringify(fragment.params)}`;
  } catch (error) {
    sql = `(compile failed: ${describeError(error)})`;
  }
  return [
    `filter: ${formatFilter(filter)}`,
    `ast: ${JSON.stringify(filter)}`,
    `sql: ${sql}`,
    `evaluator: ${expected.error ?? JSON.stringify(expected.ids)}`,
    `sql:       ${actual.error ?? JSON.stringify(actual.ids)}`,
    ...disputedUsers(users, expected, actual)
      .slice(0, 3)
      .map(({ id, user }) => `user: ${JSON.stringify(evaluatedResource(user, id))}`),
  ].join('\n');
}

async function checkAgreement(database: TestReadModelDatabase, filters: fc.Arbitrary<Filter> = filterArbitrary): Promise<Statistics> {
  const query = new UsersQuery(
    { query: async <Result>(sql: string, params?: unknown[]) => (await database.query(sql, params)) as Result },
    TEST_REGISTRY,
  );
  const statistics: Statistics = { filters: 0, refused: 0, matchedSome: 0, matchedAll: 0, users: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.array(userArbitrary, USERS_PER_RUN),
      fc.array(filters, { minLength: FILTERS_PER_RUN, maxLength: FILTERS_PER_RUN }),
      async (generated, filters) => {
        const users = generated.map((user, index) => ({ id: userIdAt(index), user }));
        await storeUsers(database, users);
        statistics.users += users.length;
        for (const filter of filters) {
          const expected = expectedOutcome(filter, users);
          const actual = await actualOutcome(query, filter);
          if (!agree(expected, actual)) {
            throw new Error(explainMismatch(await minimise(database, query, filter, users, { expected, actual })));
          }
          statistics.filters += 1;
          if (expected.error !== undefined) statistics.refused += 1;
          else if (expected.ids!.length === users.length) statistics.matchedAll += 1;
          else if (expected.ids!.length > 0) statistics.matchedSome += 1;
        }
      },
    ),
    { numRuns: RUNS, endOnFailure: true },
  );
  return statistics;
}

/** Most filters must split the users (some match, some do not), or the agreement proves little. */
function expectMeaningful(statistics: Statistics, splitting: number): void {
  const decided = statistics.filters - statistics.refused;
  expect(statistics.filters).toBe(RUNS * FILTERS_PER_RUN);
  expect(statistics.matchedSome / decided).toBeGreaterThan(splitting);
}

function report(backend: string, statistics: Statistics, milliseconds: number): void {
  process.stdout.write(
    `filter-sql property (${backend}): ${statistics.filters} filters over ${statistics.users} users in ${milliseconds} ms; ` +
      `${statistics.matchedSome} matched some users, ${statistics.matchedAll} all, ${statistics.refused} refused as invalidFilter\n`,
  );
}

async function checkOn(open: () => Promise<TestReadModelDatabase>, filters?: fc.Arbitrary<Filter>): Promise<void> {
  const database = await open();
  try {
    const started = Date.now();
    const statistics = await checkAgreement(database, filters);
    report(database.description, statistics, Date.now() - started);
    // Conjunctions of value filters on one attribute match no user more often than the general filters.
    expectMeaningful(statistics, filters === undefined ? 0.5 : 0.25);
  } finally {
    await database.close();
  }
}

describe('filter to SQL agrees with the in-memory evaluator', () => {
  it('on PGlite', () => checkOn(openPgliteReadModel), 120_000);

  const databaseUrl = process.env['DATABASE_URL'];
  (databaseUrl ? it : it.skip)('on the PostgreSQL server at DATABASE_URL', () => checkOn(() => openServerReadModel(databaseUrl!)), 120_000);
});

describe('an `and` of value filters on one attribute (one walk over its elements) agrees with the evaluator', () => {
  it('on PGlite', () => checkOn(openPgliteReadModel, sharedWalkArbitrary), 120_000);

  const databaseUrl = process.env['DATABASE_URL'];
  (databaseUrl ? it : it.skip)('on the PostgreSQL server at DATABASE_URL', () => checkOn(() => openServerReadModel(databaseUrl!), sharedWalkArbitrary), 120_000);
});
