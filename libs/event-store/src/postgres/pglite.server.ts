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
  /** postgres://…@127.0.0.1:<port>/postgres, for `pg` and TypeORM alike. */
  readonly connectionString: string;
  /** End your pools first: connections still open are cut, and a transaction they left open is rolled back. */
  stop(): Promise<void>;
}

/**
 * PostgreSQL for the embedded mode: PGlite (PostgreSQL compiled to WebAssembly, in this process) served on a
 * loopback port, so the rest of the gateway talks to it exactly as to a server.
 *
 * Durability: PGlite writes its files with synchronous writes as PostgreSQL does (it runs with fsync off, and its
 * file system offers no fsync at all), so every transaction that committed survives the process being killed
 * (kill -9; pglite.server.int.spec.ts proves it) but not a power loss or an OS crash. No option changes that.
 *
 * PGlite runs one query at a time: a connection inside a transaction has the database to itself until it ends,
 * so inside a transaction use only that transaction's connection; another would wait for ever.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  if (!Number.isInteger(options.maxConnections) || options.maxConnections < 1) {
    throw new RangeError(`maxConnections must be a positive integer, got ${options.maxConnections}`);
  }
  const lock: DataDirLock | null = options.dataDir === undefined ? null : acquireDataDirLock(options.dataDir);
  let db: PGlite | null = null;
  try {
    db = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: path.join(path.resolve(options.dataDir), 'pgdata') });
    const server = new PGliteWireServer(db, { host: '127.0.0.1', port: 0, maxConnections: options.maxConnections });
    const { host, port } = await server.start();
    const openDb = db;
    let stopping: Promise<void> | null = null;
    return {
      connectionString: `postgres://postgres@${host}:${port}/postgres`,
      stop() {
        stopping ??= (async () => {
          try {
            await server.stop();
            await openDb.close();
          } finally {
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
      lock?.release();
    }
    throw error;
  }
}
