import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { acquireDataDirLock, type DataDirLock } from './data-dir.lock.js';
import { PGliteWireServer } from './pglite.wire-server.js';

export interface EmbeddedPostgresOptions {
  /** Where the data lives (in `dataDir/pgdata`, locked by `dataDir/gateway.lock`); undefined = in memory. */
  readonly dataDir?: string;
  /** At least the sum of the pool sizes of everyone who connects (event store, read model, ...). */
  readonly maxConnections: number;
}

export interface EmbeddedPostgres {
  /** postgres://postgres@localhost:5432/postgres?host=<socket directory>, for `pg` and TypeORM alike. */
  readonly connectionString: string;
  /** End your pools first: connections still open are cut, and a transaction they left open is rolled back. */
  stop(): Promise<void>;
}

/**
 * PostgreSQL for the embedded mode: PGlite (PostgreSQL compiled to WebAssembly, in this process) served on a
 * Unix domain socket in a private temporary directory, so the rest of the gateway talks to it exactly as to a
 * server. A Unix socket rather than a loopback port: both ends are this process, and each query's write costs
 * less CPU (6-10 % more queries/s measured, docs/benchmarks.md); nothing outside the process can reach it either.
 *
 * Durability: PGlite writes its files with synchronous writes as PostgreSQL does (it runs with fsync off, and its
 * file system offers no fsync at all), so every transaction that committed survives the process being killed
 * (kill -9; pglite.server.int.spec.ts proves it) but not a power loss or an OS crash. No option changes that.
 *
 * PGlite runs one query at a time: a connection inside a transaction has the database to itself until it ends,
 * so inside a transaction use only that transaction's connection; another would wait for ever.
 *
 * Memory: PGlite's WebAssembly memory never shrinks, so a new data directory is created by a child process
 * (createDatabaseDirectory) and PostgreSQL runs with a small buffer pool (EMBEDDED_SETTINGS).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  if (!Number.isInteger(options.maxConnections) || options.maxConnections < 1) {
    throw new RangeError(`maxConnections must be a positive integer, got ${options.maxConnections}`);
  }
  const lock: DataDirLock | null = options.dataDir === undefined ? null : acquireDataDirLock(options.dataDir);
  let db: PGlite | null = null;
  let socketDirectory: string | null = null;
  try {
    const startParams = [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];
    if (options.dataDir === undefined) {
      db = await PGlite.create({ startParams });
    } else {
      const pgdata = path.join(path.resolve(options.dataDir), 'pgdata');
      await createDatabaseDirectory(pgdata);
      db = await PGlite.create({ dataDir: pgdata, startParams });
    }
    // PostgreSQL's socket naming, so `host=<directory>` plus the port finds it; the directory is ours alone (0700).
    socketDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-pglite-'));
    const server = new PGliteWireServer(db, { socketPath: path.join(socketDirectory, `.s.PGSQL.${SOCKET_PORT}`), maxConnections: options.maxConnections });
    await server.start();
    const openDb = db;
    const directory = socketDirectory;
    let stopping: Promise<void> | null = null;
    return {
      connectionString: `postgres://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(directory)}`,
      stop() {
        stopping ??= (async () => {
          try {
            await server.stop();
            await openDb.close();
          } finally {
            fs.rmSync(directory, { recursive: true, force: true });
            lock?.release();
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    try {
      await db?.close();
    } finally {
      if (socketDirectory) fs.rmSync(socketDirectory, { recursive: true, force: true });
      lock?.release();
    }
    throw error;
  }
}

/**
 * PostgreSQL settings of the embedded server, for a small resident size. PGlite's WebAssembly memory never
 * shrinks, so whatever PostgreSQL touches once stays resident for the life of the process (measured with 100,000
 * users: docs/benchmarks-filters-memory.md):
 *
 * - `shared_buffers` 32 MB instead of PGlite's 128 MB: PGlite touches the whole buffer pool at start (295 MB
 *   resident after opening the database, 186 MB with 32 MB) and the lookups fill it. Pages that do not fit are
 *   read back from the operating system's file cache; filter GETs at 100,000 users measured no slower.
 * - `default_statistics_target` 25 instead of 100: ANALYZE holds a sample of 300 rows per unit of target for
 *   each table (a JSON document each), which grew the WebAssembly memory by 83 MB at 100,000 users; 7,500 rows
 *   still give the planner what it needs here (which tenant, how selective a key is).
 */
const EMBEDDED_SETTINGS: readonly string[] = ['shared_buffers=32MB', 'default_statistics_target=25'];

/** The port in the socket's name (`.s.PGSQL.<port>`); no TCP port is opened. */
const SOCKET_PORT = 5432;

/** PGlite's marker of an initialised data directory (as PostgreSQL's). */
const PG_VERSION = 'PG_VERSION';

/**
 * Creates the database directory `pgdata` (initdb) in a child process, if it does not exist yet.
 *
 * Why not in this process, as PGlite.create would: initdb inside the gateway took its RSS to 800-970 MB (a second
 * PostgreSQL and initdb's WebAssembly instances next to the first, docs/benchmarks-filters-memory.md), and V8
 * returns little of it after they close: 290 MB stayed resident after closing that PGlite, 440 MB once a new one
 * had opened the directory, against 290 MB for a process that only opens an existing directory. WebAssembly
 * memory never shrinks, so the only way to give it back is to let the process that grew it exit.
 *
 * The child creates the database in a sibling directory and renames it into place, so a first start that is
 * interrupted leaves no half-made `pgdata` that PGlite would take for a database.
 */
async function createDatabaseDirectory(pgdata: string): Promise<void> {
  if (fs.existsSync(path.join(pgdata, PG_VERSION))) return;
  if (fs.existsSync(pgdata) && fs.readdirSync(pgdata).length > 0) {
    throw new Error(`${pgdata} is not an embedded database (it has no ${PG_VERSION}) but is not empty either; move it away to start afresh`);
  }
  const creating = `${pgdata}.creating-${process.pid}`;
  fs.rmSync(creating, { recursive: true, force: true });
  fs.mkdirSync(creating, { recursive: true });
  try {
    await runInitdbProcess(creating);
    if (!fs.existsSync(path.join(creating, PG_VERSION))) throw new Error(`creating the embedded database left no ${PG_VERSION} in ${creating}`);
    fs.rmSync(pgdata, { recursive: true, force: true }); // an empty directory at most (checked above)
    fs.renameSync(creating, pgdata);
  } catch (error) {
    fs.rmSync(creating, { recursive: true, force: true });
    throw error;
  }
}

/** What the child runs (CommonJS, so it needs no file of its own): open PGlite on an empty directory, close it. */
const INITDB_SCRIPT = `
const { PGlite } = require(process.env.PGLITE_MODULE);
PGlite.create({ dataDir: process.env.PGLITE_DATA_DIR })
  .then((db) => db.close())
  .then(() => process.exit(0), (error) => { console.error((error && error.stack) || String(error)); process.exit(1); });
`;

function runInitdbProcess(dataDir: string): Promise<void> {
  const pgliteModule = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', INITDB_SCRIPT], {
      env: { ...process.env, PGLITE_MODULE: pgliteModule, PGLITE_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`creating the embedded database in ${dataDir} failed (${signal ?? `exit code ${code}`}): ${stderr.trim()}`));
    });
  });
}
