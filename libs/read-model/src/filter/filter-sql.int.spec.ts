import fc from 'fast-check';
import type { Filter } from '#scim/filter/filter.ast.js';
import { compileFilter } from '#scim/filter/filter.evaluator.js';
import { ScimError } from '#scim/scim-error.js';
import { upsertUsers } from '../users.projection.js';
import { UsersQuery } from '../users.query.js';
import {
  openPgliteReadModel,
  openServerReadModel,
  type TestReadModelDatabase,
} from './read-model.test-database.js';
import {
  evaluatedResource,
  filterArbitrary,
  formatFilter,
  TEST_REGISTRY,
  userArbitrary,
  userIdAt,
  type GeneratedUser,
} from './user-filter.arbitraries.js';
import { compileUserFilter } from './user-filter.sql.js';

/**
 * The filter-to-SQL compiler agrees with the in-memory evaluator (libs/scim, the reference semantics of
 * RFC 7644 §3.4.2.2): for random users and random filters, UsersQuery.search returns exactly the users
 * compileFilter accepts, or both refuse the filter with the same invalidFilter.
 *
 * Each run stores a fresh set of users through the projection's own upsert, then checks a batch of filters;
 * fast-check prints the seed and the shrunk counterexample on failure.
 */

const RUNS = 6;
const USERS_PER_RUN = { minLength: 40, maxLength: 80 };
const FILTERS_PER_RUN = 500;
const TENANT = 'tenant-a';
const OTHER_TENANT = 'tenant-b';

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

async function storeUsers(database: TestReadModelDatabase, users: readonly GeneratedUser[]): Promise<void> {
  await database.query('TRUNCATE scim_users');
  const rows = users.map((user, index) => ({
    tenantId: TENANT,
    id: userIdAt(index),
    attributes: user.attributes,
    version: BigInt(user.version),
    createdAt: user.created,
    lastModifiedAt: user.lastModified,
  }));
  // Another tenant holding the same ids with every attribute: a search must never see it.
  const strangers = rows.slice(0, 5).map((row) => ({ ...row, tenantId: OTHER_TENANT }));
  await upsertUsers(database, [...rows, ...strangers]);
}

function expectedOutcome(filter: Filter, users: readonly GeneratedUser[]): Outcome {
  try {
    const matches = compileFilter(filter, TEST_REGISTRY, 'User');
    return { ids: users.flatMap((user, index) => (matches(evaluatedResource(user, userIdAt(index))) ? [userIdAt(index)] : [])) };
  } catch (error) {
    return { error: describeError(error) };
  }
}

async function actualOutcome(query: UsersQuery, filter: Filter): Promise<Outcome> {
  try {
    const page = await query.search(TENANT, filter, 1, 1000);
    const ids = page.resources.map((resource) => resource.id).sort();
    if (page.totalResults !== ids.length) return { error: `totalResults ${page.totalResults} but ${ids.length} resources` };
    return { ids };
  } catch (error) {
    return { error: describeError(error) };
  }
}

function describeError(error: unknown): string {
  if (error instanceof ScimError) return `${error.scimType ?? error.status}: ${error.detail}`;
  return `unexpected ${String(error)}`;
}

function explainMismatch(filter: Filter, users: readonly GeneratedUser[], expected: Outcome, actual: Outcome): string {
  let sql = '';
  try {
    const fragment = compileUserFilter(filter, 2, TEST_REGISTRY);
    sql = `${fragment.sql}\nparams: ${JSON.stringify(fragment.params)}`;
  } catch (error) {
    sql = `(compile failed: ${describeError(error)})`;
  }
  const lines = [`filter: ${formatFilter(filter)}`, `ast: ${JSON.stringify(filter)}`, `sql: ${sql}`];
  if (expected.error !== undefined || actual.error !== undefined) {
    lines.push(`evaluator: ${expected.error ?? `${expected.ids!.length} matches`}`, `sql:       ${actual.error ?? `${actual.ids!.length} matches`}`);
  } else {
    const wanted = new Set(expected.ids);
    const got = new Set(actual.ids);
    const onlyEvaluator = expected.ids!.filter((id) => !got.has(id));
    const onlySql = actual.ids!.filter((id) => !wanted.has(id));
    const show = (id: string) => JSON.stringify(evaluatedResource(users[Number.parseInt(id.slice(-12), 16)], id));
    lines.push(...onlyEvaluator.slice(0, 3).map((id) => `evaluator only: ${show(id)}`), ...onlySql.slice(0, 3).map((id) => `sql only: ${show(id)}`));
  }
  return lines.join('\n');
}

async function checkAgreement(database: TestReadModelDatabase): Promise<Statistics> {
  const query = new UsersQuery({ query: async <Result>(sql: string, params?: unknown[]) => (await database.query(sql, params)) as Result }, TEST_REGISTRY);
  const statistics: Statistics = { filters: 0, refused: 0, matchedSome: 0, matchedAll: 0, users: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.array(userArbitrary, USERS_PER_RUN),
      fc.array(filterArbitrary, { minLength: FILTERS_PER_RUN, maxLength: FILTERS_PER_RUN }),
      async (users, filters) => {
        await storeUsers(database, users);
        statistics.users += users.length;
        for (const filter of filters) {
          const expected = expectedOutcome(filter, users);
          const actual = await actualOutcome(query, filter);
          if (expected.error !== actual.error || JSON.stringify(expected.ids) !== JSON.stringify(actual.ids)) {
            throw new Error(explainMismatch(filter, users, expected, actual));
          }
          statistics.filters += 1;
          if (expected.error !== undefined) statistics.refused += 1;
          else if (expected.ids!.length === users.length) statistics.matchedAll += 1;
          else if (expected.ids!.length > 0) statistics.matchedSome += 1;
        }
      },
    ),
    { numRuns: RUNS },
  );
  return statistics;
}

/** Most filters must split the users (some match, some do not), or the agreement proves little. */
function expectMeaningful(statistics: Statistics): void {
  const decided = statistics.filters - statistics.refused;
  expect(statistics.filters).toBeGreaterThanOrEqual(RUNS * FILTERS_PER_RUN);
  expect(statistics.matchedSome / decided).toBeGreaterThan(0.3);
}

describe('filter to SQL agrees with the in-memory evaluator', () => {
  it('on PGlite', async () => {
    const database = await openPgliteReadModel();
    try {
      const started = Date.now();
      const statistics = await checkAgreement(database);
      report(database.description, statistics, Date.now() - started);
      expectMeaningful(statistics);
    } finally {
      await database.close();
    }
  }, 120_000);

  const databaseUrl = process.env['DATABASE_URL'];
  (databaseUrl ? it : it.skip)('on the PostgreSQL server at DATABASE_URL', async () => {
    const database = await openServerReadModel(databaseUrl!);
    try {
      const started = Date.now();
      const statistics = await checkAgreement(database);
      report(database.description, statistics, Date.now() - started);
      expectMeaningful(statistics);
    } finally {
      await database.close();
    }
  }, 120_000);
});

function report(backend: string, statistics: Statistics, milliseconds: number): void {
  process.stdout.write(
    `filter-sql property (${backend}): ${statistics.filters} filters over ${statistics.users} users in ${milliseconds} ms; ` +
      `${statistics.matchedSome} matched some users, ${statistics.matchedAll} all, ${statistics.refused} refused as invalidFilter\n`,
  );
}
