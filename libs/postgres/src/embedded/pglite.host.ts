import { PGlite } from '@electric-sql/pglite';
import { PGliteWireServer } from './pglite.wire-server.js';

/** What the embedded database needs to start; plain data, so it crosses to the worker thread as workerData. */
export interface PGliteHostOptions {
  /** The database directory (already created, see createDatabaseDirectory); null = in memory. */
  readonly pgdata: string | null;
  /** `name=value` PostgreSQL settings, added to PGlite's own start parameters. */
  readonly settings: readonly string[];
  /** The Unix domain socket to listen on, in a directory that already exists. */
  readonly socketPath: string;
  readonly maxConnections: number;
  /** How long a connection over maxConnections waits for a free slot (PGliteWireServerOptions). */
  readonly connectionWaitMs?: number;
}

export interface PGliteHost {
  /** Stops the wire server (cutting its connections), then closes PGlite, which checkpoints the data directory. */
  stop(): Promise<void>;
}

/**
 * Opens PGlite and serves it on the socket, in the calling thread: the embedded database's worker thread
 * (pglite.worker.ts) runs this, and so does startEmbeddedPostgres where the compiled worker is absent.
 */
export async function startPGliteHost(options: PGliteHostOptions): Promise<PGliteHost> {
  const startParams = [...PGlite.defaultStartParams, ...options.settings.flatMap((setting) => ['-c', setting])];
  let db: PGlite | null = null;
  try {
    db = options.pgdata === null ? await PGlite.create({ startParams }) : await PGlite.create({ dataDir: options.pgdata, startParams });
    const server = new PGliteWireServer(db, { socketPath: options.socketPath, maxConnections: options.maxConnections, connectionWaitMs: options.connectionWaitMs });
    await server.start();
    const openDb = db;
    return {
      async stop() {
        await server.stop();
        await openDb.close();
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined); // the start's error is the one to report
    throw error;
  }
}
