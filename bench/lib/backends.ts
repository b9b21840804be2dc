import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '#postgres/embedded/pglite.server.js';
import { killAllGateways } from './gateway-process.js';

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

/** Storage not disposed yet, for an interrupted run to clean up (see disposeAllStorage). */
const live = new Set<BenchStorage>();

export async function disposeAllStorage(): Promise<void> {
  for (const storage of [...live]) await storage.dispose().catch(() => undefined);
}

/** Ctrl-C or SIGTERM stops the gateways this run started and removes its databases and data directories. */
export function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the gateway and removing the bench databases and data directories\n`);
      killAllGateways();
      // Give the killed gateways a moment to release their connections before the databases are dropped.
      setTimeout(() => void disposeAllStorage().finally(() => process.exit(130)), 500);
    });
  }
}

export async function createStorage(backend: BackendName, name: string, adminUrl: string): Promise<BenchStorage> {
  const storage = await openStorage(backend, name, adminUrl);
  live.add(storage);
  return {
    ...storage,
    async dispose() {
      live.delete(storage);
      await storage.dispose();
    },
  };
}

async function openStorage(backend: BackendName, name: string, adminUrl: string): Promise<BenchStorage> {
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

export interface ServerCounters {
  /** Of this database (pg_stat_database): every autocommit statement counts as one. */
  readonly xactCommit: number;
  readonly tupInserted: number;
  readonly tupUpdated: number;
  /** Of the whole cluster (pg_stat_wal): other users of the server count too. */
  readonly walSync: number;
  readonly walWrite: number;
  readonly walRecords: number;
}

/** Cumulative statistics counters (a backend reports its own at most once a second, and when it exits). */
export async function serverCounters(connectionString: string): Promise<ServerCounters> {
  const [row] = await adminQuery<Record<string, string>>(
    connectionString,
    `SELECT d.xact_commit::text, d.tup_inserted::text, d.tup_updated::text, w.wal_sync::text, w.wal_write::text, w.wal_records::text
     FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()`,
  );
  return {
    xactCommit: Number(row['xact_commit']),
    tupInserted: Number(row['tup_inserted']),
    tupUpdated: Number(row['tup_updated']),
    walSync: Number(row['wal_sync']),
    walWrite: Number(row['wal_write']),
    walRecords: Number(row['wal_records']),
  };
}

export function counterDelta(before: ServerCounters, after: ServerCounters): ServerCounters {
  return {
    xactCommit: after.xactCommit - before.xactCommit,
    tupInserted: after.tupInserted - before.tupInserted,
    tupUpdated: after.tupUpdated - before.tupUpdated,
    walSync: after.walSync - before.walSync,
    walWrite: after.walWrite - before.walWrite,
    walRecords: after.walRecords - before.walRecords,
  };
}
