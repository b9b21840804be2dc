import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { acquireDataDirLock, type DataDirLock } from './data-dir.lock.js';
import type { PGliteHost, PGliteHostOptions } from './pglite.host.js';
// A type import, and also what makes transpileForChildProcess (libs/testing) copy the worker next to this module.
import type { PGliteWorkerData, PGliteWorkerReply, PGliteWorkerRequest } from './pglite.worker.js';

export interface EmbeddedPostgresOptions {
  /** Where the data lives (in `dataDir/pgdata`, locked by `dataDir/gateway.lock`); undefined = in memory. */
  readonly dataDir?: string;
  /** At least the sum of the pool sizes of everyone who connects (event store, read model, ...). */
  readonly maxConnections: number;
  /** How long a connection over maxConnections waits for another to close before it is refused (default 30 s). */
  readonly connectionWaitMs?: number;
  /** Where the end of the database thread is reported (the gateway's logger). Default: console.error. */
  readonly logError?: (message: string, error?: Error) => void;
}

export interface EmbeddedPostgres {
  /** postgres://postgres@localhost:5432/postgres?host=<socket directory>, for `pg` and TypeORM alike. */
  readonly connectionString: string;
  /**
   * Where PGlite runs: `worker`, a thread of its own (always, from the build); `main`, this thread, only where the
   * TypeScript sources run (Jest) and the build's compiled worker is missing or older than them.
   */
  readonly thread: 'worker' | 'main';
  /** End your pools first: connections still open are cut, and a transaction they left open is rolled back. */
  stop(): Promise<void>;
}

/**
 * PostgreSQL for the embedded mode: PGlite (PostgreSQL compiled to WebAssembly) in a worker thread of this
 * process, served on a Unix domain socket in a private temporary directory, so the rest of the gateway talks to it
 * exactly as to a server. A Unix socket rather than a loopback port: both ends are this process, and each query's
 * write costs less CPU (6-10 % more queries/s measured, docs/benchmarks.md); nothing outside the process can reach
 * it either.
 *
 * A worker thread (pglite.worker.ts) because PGlite executes each query synchronously in WebAssembly: on the main
 * thread that blocked the HTTP event loop for the whole query, so one core did both; in its own thread SQL runs on
 * a second core in parallel with the HTTP and JavaScript work. If that thread dies, the error is logged and
 * connections fail (the health checks report it) until the process restarts.
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
  let socketDirectory: string | null = null;
  try {
    let pgdata: string | null = null;
    if (options.dataDir !== undefined) {
      pgdata = path.join(path.resolve(options.dataDir), 'pgdata');
      await createDatabaseDirectory(pgdata);
    }
    // PostgreSQL's socket naming, so `host=<directory>` plus the port finds it; the directory is ours alone (0700).
    socketDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-pglite-'));
    const hostOptions: PGliteHostOptions = {
      pgdata,
      settings: EMBEDDED_SETTINGS,
      socketPath: path.join(socketDirectory, `.s.PGSQL.${SOCKET_PORT}`),
      maxConnections: options.maxConnections,
      ...(options.connectionWaitMs === undefined ? {} : { connectionWaitMs: options.connectionWaitMs }),
    };
    const workerScript = compiledWorkerScript();
    const logError = options.logError ?? ((message: string, error?: Error) => console.error(`[EmbeddedPostgres] ${message}${error ? `: ${error.stack ?? error.message}` : ''}`));
    const host = workerScript ? await startWorker(workerScript, hostOptions, logError) : await (await import('./pglite.host.js')).startPGliteHost(hostOptions);
    const directory = socketDirectory;
    let stopping: Promise<void> | null = null;
    return {
      connectionString: `postgres://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(directory)}`,
      thread: workerScript ? 'worker' : 'main',
      stop() {
        stopping ??= (async () => {
          try {
            await host.stop();
          } finally {
            fs.rmSync(directory, { recursive: true, force: true });
            lock?.release();
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (socketDirectory) fs.rmSync(socketDirectory, { recursive: true, force: true });
    lock?.release();
    throw error;
  }
}

/**
 * The database thread's JavaScript heap: the wire server's buffers and PGlite's wrappers, all short-lived (PGlite's
 * WebAssembly memory and Buffers are outside it). Left to V8's defaults it grew the gateway's RSS by 50-70 MB over a
 * 300,000-event catch-up (scenario b: 527 MB, against 449-459 MB with these limits, docs/benchmarks.md); the old
 * generation's limit is far above what the thread keeps, as running out of it ends the thread (and the database).
 */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 192 };

/** How long stop() waits for the database thread to close PGlite (a checkpoint) before terminating it. */
const WORKER_STOP_TIMEOUT_MS = 60_000;

/** The modules the worker runs, which a compiled copy must be at least as new as (see compiledWorkerScript). */
const WORKER_MODULES = ['pglite.worker', 'pglite.host', 'pglite.wire-server'];

/**
 * The worker's script. Next to this module wherever it runs as JavaScript: the build (dist/), or a copy made by
 * transpileForChildProcess. Where the TypeScript sources run (Jest), a worker cannot load them (Node 20 runs no
 * TypeScript), so the build's copy under dist/ is used if it is at least as new as the sources (`npm test` builds
 * before it runs Jest); otherwise null, and PGlite runs in this thread.
 */
function compiledWorkerScript(): URL | null {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) {
    const beside = new URL('./pglite.worker.js', import.meta.url);
    return fs.existsSync(fileURLToPath(beside)) ? beside : null;
  }
  const sources = path.dirname(here);
  const root = path.resolve(sources, '../../../..'); // libs/postgres/src/embedded -> the project
  const built = path.join(root, 'dist', path.relative(root, sources));
  for (const module of WORKER_MODULES) {
    const compiled = modifiedAt(path.join(built, `${module}.js`));
    if (compiled === null || compiled < (modifiedAt(path.join(sources, `${module}.ts`)) ?? Infinity)) return null;
  }
  return pathToFileURL(path.join(built, 'pglite.worker.js'));
}

function modifiedAt(file: string): number | null {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Starts the database thread and resolves once PGlite is open and the wire server listens; rejects with the
 * thread's error (a corrupt data directory, say) once the thread has ended.
 */
function startWorker(script: URL, data: PGliteWorkerData, logError: (message: string, error?: Error) => void): Promise<PGliteHost> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: data, name: 'pglite', resourceLimits: WORKER_HEAP_LIMITS });
    let state: 'starting' | 'running' | 'stopping' | 'ended' = 'starting';
    let stopped: { resolve: () => void; reject: (error: Error) => void } | null = null;
    let stopping: Promise<void> | null = null;
    const failStart = (error: Error) => {
      state = 'ended';
      void worker.terminate().finally(() => reject(error));
    };
    worker.on('message', (reply: PGliteWorkerReply) => {
      switch (reply.type) {
        case 'started':
          if (state !== 'starting') return;
          state = 'running';
          resolve({ stop });
          return;
        case 'start-failed':
          if (state === 'starting') failStart(threadError(reply));
          return;
        case 'stopped':
        case 'stop-failed':
          state = 'ended';
          if (reply.type === 'stopped') stopped?.resolve();
          else stopped?.reject(threadError(reply));
          return;
      }
    });
    // A worker's 'error' carries whatever the thread threw (typed unknown since @types/node 24).
    worker.on('error', (thrown: unknown) => {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      if (state === 'starting') return failStart(error);
      if (state === 'stopping') return stopped?.reject(error);
      if (state === 'running') {
        state = 'ended';
        logError('the embedded database thread failed; connections to the database fail until the process restarts', error);
      }
    });
    worker.on('exit', (code) => {
      if (state === 'starting') return failStart(new Error(`the embedded database thread exited (code ${code}) before it started`));
      if (state === 'stopping') return stopped?.reject(new Error(`the embedded database thread exited (code ${code}) before it closed the database`));
      if (state === 'running') {
        state = 'ended';
        logError(`the embedded database thread exited (code ${code}); connections to the database fail until the process restarts`);
      }
    });

    function stop(): Promise<void> {
      stopping ??= (async () => {
        if (state !== 'running') return; // it ended on its own (and said so in the log): nothing left to close
        state = 'stopping';
        const done = new Promise<void>((resolveStop, rejectStop) => {
          stopped = { resolve: resolveStop, reject: rejectStop };
        });
        worker.postMessage({ type: 'stop' } satisfies PGliteWorkerRequest);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, rejectTimeout) => {
          timer = setTimeout(
            () => rejectTimeout(new Error(`the embedded database thread did not close the database within ${WORKER_STOP_TIMEOUT_MS / 1000} s; terminated`)),
            WORKER_STOP_TIMEOUT_MS,
          );
        });
        try {
          await Promise.race([done, timeout]);
        } finally {
          clearTimeout(timer);
          state = 'ended';
          await worker.terminate();
        }
      })();
      return stopping;
    }
  });
}

function threadError(reply: { readonly message: string; readonly stack?: string }): Error {
  const error = new Error(reply.message);
  if (reply.stack) error.stack = reply.stack;
  return error;
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
