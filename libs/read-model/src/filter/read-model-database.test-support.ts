import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { READ_MODEL_MIGRATIONS } from '../read-model.data-source.js';

/**
 * A migrated read model for integration tests: in-process PGlite, or a fresh database on the PostgreSQL server
 * at a URL (dropped on close, so parallel runs never see each other's tables).
 */
export interface TestReadModelDatabase {
  readonly description: string;
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function openPgliteReadModel(): Promise<TestReadModelDatabase> {
  const database = await PGlite.create();
  const testDatabase: TestReadModelDatabase = {
    description: 'PGlite',
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await database.query<Row>(sql, [...params])).rows;
    },
    close: () => database.close(),
  };
  await runReadModelMigrations(testDatabase);
  return testDatabase;
}

/**
 * A database created for the test on the server at `connectionString` (whose role may create databases), and
 * dropped on close. Its default collation is ICU's en-US where the server has ICU: a linguistic collation
 * unlike PGlite's "C", so SQL that forgets to ask for code-point order fails here.
 */
export async function openServerReadModel(connectionString: string): Promise<TestReadModelDatabase> {
  const name = `read_model_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  let collation = 'ICU en-US';
  try {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`);
    } catch {
      collation = 'server default';
      await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(connectionString);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  const dropDatabase = async () => {
    const dropper = new pg.Client({ connectionString });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  };
  const testDatabase: TestReadModelDatabase = {
    description: `PostgreSQL (database ${name}, ${collation} collation)`,
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await client.query(sql, [...params])).rows as Row[];
    },
    async close() {
      try {
        await client.end();
      } finally {
        await dropDatabase();
      }
    },
  };
  try {
    await client.connect();
    await runReadModelMigrations(testDatabase);
  } catch (error) {
    await testDatabase.close().catch(() => undefined);
    throw error;
  }
  return testDatabase;
}

/** The real migrations, in order; they only use QueryRunner.query, so a client adapter stands in for TypeORM. */
async function runReadModelMigrations(database: TestReadModelDatabase): Promise<void> {
  const queryRunner = { query: (sql: string, params?: unknown[]) => database.query(sql, params) } as unknown as QueryRunner;
  for (const Migration of READ_MODEL_MIGRATIONS) await new Migration().up(queryRunner);
}
