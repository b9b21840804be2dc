import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { parseFilter } from '#scim/filter/filter.parser.js';
import { InvalidFilterError } from '#scim/scim-error.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { openReadModelDataSource, openReadPool } from './read-model.data-source.js';
import { isStatementTimeout } from './search-timeout.js';
import { UsersQuery } from './users.query.js';

/**
 * The read statement timeout (READ_STATEMENT_TIMEOUT_MS) on a PostgreSQL server: a read that runs longer is
 * stopped by the server itself, so once its client has its answer nothing of it is left running
 * (pg_stat_activity), and JIT, whose compilation of a many-term filter took seconds and ignored cancels, is off.
 * And what holds on PGlite: no timeout at all (WebAssembly has no timer signal), which is why the filter's cost
 * is bounded before it reaches the database (documentTextPrefilter, and the parser's limits).
 */

const TIMEOUT_MS = 300;
const TENANT = 'tenant-slow';
const server = testDatabases().find((backend) => backend.name === 'postgres');
const onServer = server ? describe : describe.skip;

onServer('read statement timeout on the PostgreSQL server', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  let reads: ReturnType<typeof openReadPool>;

  beforeAll(async () => {
    database = await server!.start();
    // The migrations, and 20,000 users whose emails all contain "e".
    const dataSource = await openReadModelDataSource({ connectionString: database.connectionString, poolSize: 1, statementTimeoutMs: 60_000 });
    await dataSource.query(`
      INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, attributes, version, created_at, last_modified_at)
      SELECT $1, gen_random_uuid(), 'user' || i, 'user' || i,
             jsonb_build_object('userName', 'user' || i, 'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work'))),
             1, now(), now()
      FROM generate_series(1, 20000) AS i`, [TENANT]);
    await dataSource.destroy();
    reads = openReadPool(database.connectionString, 2, TIMEOUT_MS);
    admin = new pg.Client({ connectionString: database.connectionString });
    await admin.connect();
  }, 120_000);

  afterAll(async () => {
    await reads?.close();
    await admin?.end();
    await database?.stop();
  });

  /** Client statements of this database still running, other than the one asking (autovacuum workers excluded). */
  const running = async (): Promise<string[]> =>
    (
      await admin.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND backend_type = 'client backend'`,
      )
    ).rows.map((row) => row.query);

  /**
   * What is still running once the server has had a moment to finish aborting: right after the client sees the
   * timeout, the backend may still be unwinding a long expression (seen once on a loaded 2-core machine), so this
   * waits up to 5 s for the list to empty and returns what is left then.
   */
  const runningAfterAbort = async (): Promise<string[]> => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const left = await running();
      if (left.length === 0 || Date.now() >= deadline) return left;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('stops a statement that runs longer on the server, which then runs nothing', async () => {
    const error = await reads.queries.query('SELECT pg_sleep(30)').catch((failure: unknown) => failure);
    expect(isStatementTimeout(error)).toBe(true);
    expect(await running()).toEqual([]);
  });

  it('answers a filtered search that runs longer with invalidFilter naming the limit, and leaves nothing running', async () => {
    const query = new UsersQuery(reads.queries, undefined, { statementTimeoutMs: TIMEOUT_MS });
    // Every email contains "e", so no term is true and each row's emails are walked 40 times (an `or` of `not`s
    // shares no walk and stops at no term).
    const filter = parseFilter(Array.from({ length: 40 }, () => 'not (emails[value co "e"])').join(' or '));
    const error = await query.search(TENANT, { filter, startIndex: 1, count: 10 }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(InvalidFilterError);
    expect((error as InvalidFilterError).detail).toContain(`${TIMEOUT_MS} ms allowed (READ_STATEMENT_TIMEOUT_MS)`);
    expect(await runningAfterAbort()).toEqual([]);
  });

  it('turns JIT off on the read connections', async () => {
    expect(await reads.queries.query('SHOW jit')).toEqual([{ jit: 'off' }]);
  });
});

describe('statement timeout on PGlite', () => {
  it('is not enforced: a statement runs to its end whatever statement_timeout says', async () => {
    const database = await PGlite.create();
    try {
      await database.query(`SET statement_timeout = 50`);
      const result = await database.query<{ done: boolean }>(`SELECT true AS done FROM pg_sleep(0.3)`);
      // If this starts to fail, PGlite enforces the timeout: update docs/operations.md "Abuse and fairness".
      expect(result.rows).toEqual([{ done: true }]);
    } finally {
      await database.close();
    }
  });
});
