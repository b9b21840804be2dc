import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '#event-store/postgres/pglite.server.js';

export type BackendName = 'pglite' | 'postgres';
export const BACKENDS: readonly BackendName[] = ['pglite', 'postgres'];

export interface DirectConnection {
  readonly connectionString: string;
  close(): Promise<void>;
}

/**
 * Fresh storage for one scenario: a new temporary DATA_DIR (PGlite) or a new database on the server. `open()`
 * connects to it directly, for seeding and EXPLAIN; on PGlite only while no gateway holds the directory.
 */
export interface BenchStorage {
  readonly backend: BackendName;
  readonly description: string;
  readonly gatewayEnv: Readonly<Record<string, string>>;
  open(maxConnections: number): Promise<DirectConnection>;
  dispose(): Promise<void>;
}

export async function createStorage(backend: BackendName, name: string, adminUrl: string): Promise<BenchStorage> {
  if (backend === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `scim-bench-${name}-`));
    return {
      backend,
      description: `PGlite in ${dataDir}`,
      gatewayEnv: { DATA_DIR: dataDir },
      async open(maxConnections) {
        const embedded = await startEmbeddedPostgres({ dataDir, maxConnections });
        return { connectionString: embedded.connectionString, close: () => embedded.stop() };
      },
      async dispose() {
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const database = `bench_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await adminQuery(adminUrl, `CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const connectionString = url.toString();
  return {
    backend,
    description: `PostgreSQL server, database ${database}`,
    gatewayEnv: { DATABASE_URL: connectionString },
    async open() {
      return { connectionString, close: async () => undefined };
    },
    async dispose() {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

export async function adminQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(adminUrl: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The server's version string and durability settings, or why it cannot be reached. */
export async function describeServer(adminUrl: string): Promise<{ reachable: true; version: string; settings: string } | { reachable: false; reason: string }> {
  try {
    const [row] = await adminQuery<{ version: string; fsync: string; synchronous_commit: string; wal_sync_method: string; shared_buffers: string }>(
      adminUrl,
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit, current_setting('wal_sync_method') AS wal_sync_method,
              current_setting('shared_buffers') AS shared_buffers`,
    );
    return {
      reachable: true,
      version: row.version,
      settings: `fsync=${row.fsync}, synchronous_commit=${row.synchronous_commit}, wal_sync_method=${row.wal_sync_method}, shared_buffers=${row.shared_buffers}`,
    };
  } catch (error) {
    return { reachable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
