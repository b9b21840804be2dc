import { parentPort, workerData } from 'node:worker_threads';
import { startPGliteHost, type PGliteHost, type PGliteHostOptions } from './pglite.host.js';

/**
 * The embedded database's thread (startEmbeddedPostgres starts it): PGlite and its wire server run here, so each
 * query's WebAssembly executes on a core of its own while the main thread serves HTTP. The main thread's pools
 * reach it through the Unix socket, as before; this port only carries start and stop.
 *
 * Only the build has this file as JavaScript (dist/…/pglite.worker.js); see compiledWorkerScript in
 * pglite.server.ts for how the TypeScript sources find it.
 */
export type PGliteWorkerData = PGliteHostOptions;

/** Main thread -> database thread. */
export type PGliteWorkerRequest = { readonly type: 'stop' };

/** Database thread -> main thread. The thread ends after start-failed, stopped and stop-failed. */
export type PGliteWorkerReply =
  | { readonly type: 'started' }
  | { readonly type: 'start-failed'; readonly message: string; readonly stack?: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'stop-failed'; readonly message: string; readonly stack?: string };

const port = parentPort;
if (port) {
  const reply = (message: PGliteWorkerReply) => port.postMessage(message);
  const failure = (error: unknown) => (error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) });
  let host: PGliteHost | null = null;
  port.on('message', (request: PGliteWorkerRequest) => {
    if (request.type !== 'stop' || !host) return;
    const stopping = host;
    host = null;
    stopping.stop().then(
      () => reply({ type: 'stopped' }),
      (error: unknown) => reply({ type: 'stop-failed', ...failure(error) }),
    ).finally(() => port.close());
  });
  startPGliteHost(workerData as PGliteWorkerData).then(
    (started) => {
      host = started;
      reply({ type: 'started' });
    },
    (error: unknown) => {
      reply({ type: 'start-failed', ...failure(error) });
      port.close();
    },
  );
}
