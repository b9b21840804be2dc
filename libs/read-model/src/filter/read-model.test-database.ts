import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { READ_MODEL_MIGRATIONS } from '../read-model.data-source.js';

/**
 * A migrated read model for integration tests: in-process PGlite, or a fresh schema on the PostgreSQL server
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

export async function openServerReadModel(connectionString: string): Promise<TestReadModelDatabase> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const schema = `read_model_test_${randomBytes(6).toString('hex')}`;
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
  } catch (error) {
    await client.end();
    throw error;
  }
  const testDatabase: TestReadModelDatabase = {
    description: `PostgreSQL (schema ${schema})`,
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await client.query(sql, [...params])).rows as Row[];
    },
    async close() {
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
  try {
    await runReadModelMigrations(testDatabase);
  } catch (error) {
    await testDatabase.close();
    throw error;
  }
  return testDatabase;
}

/** The real migrations, in order; they only use QueryRunner.query, so a client adapter stands in for TypeORM. */
async function runReadModelMigrations(database: TestReadModelDatabase): Promise<void> {
  const queryRunner = { query: (sql: string, params?: unknown[]) => database.query(sql, params) } as unknown as QueryRunner;
  for (const Migration of READ_MODEL_MIGRATIONS) await new Migration().up(queryRunner);
}
