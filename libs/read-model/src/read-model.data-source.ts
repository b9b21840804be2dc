import { queryKeepingConnection } from '#postgres/pooled-query.js';
import pg from 'pg';
import { DataSource, MigrationExecutor, type MixedList } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { preparedStatementName } from '#postgres/prepared-statements.js';
import { CreateUsersReadModel1763900000000 } from './migrations/1763900000000-create-users-read-model.js';
import { AddUserFilterSupport1763900002000 } from './migrations/1763900002000-add-user-filter-support.js';
import { CreateGroupsReadModel1763900003000 } from './migrations/1763900003000-create-groups-read-model.js';
import { WorkEmailsIndexWithoutPendingList1763900008000 } from './migrations/1763900008000-work-emails-index-without-pending-list.js';
import { AddDocumentText1763900009000 } from './migrations/1763900009000-add-document-text.js';
import { AddEmployeeNumber1765100001000 } from './migrations/1765100001000-add-employee-number.js';
import type { SqlQueryable } from './users.query.js';

export const READ_MODEL_MIGRATIONS = [
  CreateUsersReadModel1763900000000,
  AddUserFilterSupport1763900002000,
  CreateGroupsReadModel1763900003000,
  WorkEmailsIndexWithoutPendingList1763900008000,
  AddDocumentText1763900009000,
  AddEmployeeNumber1765100001000,
];

export interface DataSourceOptions {
  readonly connectionString: string;
  readonly poolSize: number;
  /**
   * PostgreSQL server only: every statement of this DataSource's connections ends after this many milliseconds
   * (statement_timeout, see serverSessionOptions); migrations run without it. Unset: no timeout (PGlite, which
   * does not enforce one anyway).
   */
  readonly statementTimeoutMs?: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly extraMigrations?: MixedList<Function | string>;
}

/**
 * One TypeORM DataSource for the read model (and the gateway's own tables, whose migrations come in
 * `extraMigrations`). Schema changes only through explicit migrations, run at start; never `synchronize`
 * (DESIGN.md "Read model"). No entities: every table is read and written with plain SQL.
 */
export async function openReadModelDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.connectionString,
    migrations: [...READ_MODEL_MIGRATIONS, ...((options.extraMigrations as []) ?? [])],
    migrationsTableName: 'read_model_migrations',
    synchronize: false,
    logging: ['error'],
    poolSize: options.poolSize,
    ...(options.statementTimeoutMs !== undefined ? { extra: { options: serverSessionOptions(options.statementTimeoutMs) } } : {}),
  });
  await dataSource.initialize();
  const migrations = dataSource.createQueryRunner();
  try {
    // A migration may rewrite a large table: it runs without the statement timeout of the queries.
    if (options.statementTimeoutMs !== undefined) await migrations.query('SET statement_timeout = 0');
    const executor = new MigrationExecutor(dataSource, migrations);
    executor.transaction = 'each';
    await executor.executePendingMigrations();
    if (options.statementTimeoutMs !== undefined) await migrations.query('RESET statement_timeout');
  } finally {
    await migrations.release();
  }
  return dataSource;
}

/**
 * The startup `options` of a connection to a PostgreSQL server (libpq's `-c name=value`), so the settings hold
 * from its first statement without a round trip of their own:
 *
 * - `statement_timeout`: the server cancels a statement that runs longer, and the backend goes back to idle: a
 *   client that gave up leaves nothing running (read-model.statement-timeout.int.spec.ts watches pg_stat_activity).
 * - `jit=off`: LLVM compiles a plan whose estimated cost passes jit_above_cost, and a filter of many jsonb terms
 *   is estimated dear on any table: 100 `emails[value co "<i>"]` terms on 1,400 users took 25 s, all of it
 *   compiling (and a backend compiling does not see cancel or terminate), against 50 ms with JIT off
 *   (docs/benchmarks-filters-memory.md). The read model's statements are short and gain nothing from it.
 *
 * PGlite enforces no statement_timeout (WebAssembly has no timer signal; tested in the same spec) and has no JIT.
 */
export function serverSessionOptions(statementTimeoutMs: number): string {
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 0) throw new RangeError(`statementTimeoutMs must be a non-negative integer, got ${statementTimeoutMs}`);
  return `-c statement_timeout=${statementTimeoutMs} -c jit=off`;
}

/**
 * A pool of its own for the SCIM reads (UsersQuery, GroupsQuery) on a PostgreSQL server, whose statements end
 * after `statementTimeoutMs`: a shorter limit than the DataSource's, whose projection batches and admin queries
 * may rightly take longer. Named prepared statements, as preparedQueries.
 */
export function openReadPool(connectionString: string, poolSize: number, statementTimeoutMs: number): { readonly queries: SqlQueryable; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString, max: poolSize, options: serverSessionOptions(statementTimeoutMs) });
  // An idle client that loses its connection (a server restart) emits 'error' on the pool: without a listener
  // that would end the process. The next query gets a new connection, or the outage as its error.
  pool.on('error', () => undefined);
  return { queries: preparedPoolQueries(pool), close: () => pool.end() };
}

/**
 * The read model's hot statements (searches, lookups by id, the projection's one-statement batch) as named
 * prepared statements, straight on the DataSource's `pg` pool: each connection parses and plans a statement text
 * once. PostgreSQL plans the first five runs with the values and keeps a generic plan only if it is no dearer, so a
 * filter whose best plan depends on its value (a `sw` pattern) keeps being planned with it. Rows, as
 * DataSource.query answers a SELECT.
 */
export function preparedQueries(dataSource: DataSource): SqlQueryable {
  return preparedPoolQueries((dataSource.driver as PostgresDriver).master as pg.Pool);
}

function preparedPoolQueries(pool: pg.Pool): SqlQueryable {
  return {
    async query<Result = unknown>(sql: string, params: unknown[] = []): Promise<Result> {
      // A statement stopped by its timeout (or refused by the filter's own SQL) keeps its connection.
      const result = await queryKeepingConnection(pool, { name: preparedStatementName(sql), text: sql, values: params });
      return result.rows as Result;
    },
  };
}
