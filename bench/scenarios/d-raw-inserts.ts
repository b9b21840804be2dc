import pg from 'pg';
import { counterDelta, createStorage, serverCounters } from '../lib/backends.js';
import type { RawInsertResult, ScenarioContext } from '../lib/context.js';
import { CpuMeter, loadAverage } from '../lib/proc.js';
import { LatencyRecorder } from '../lib/stats.js';

/**
 * The physical limit of a durable write on this machine: autocommit single-row INSERTs (each its own
 * transaction, so each waits for its commit) from `rawConnections` concurrent connections for `rawSeconds`
 * seconds, into a small table with a few columns and a primary key. On the server in a fresh database; on
 * PGlite through startEmbeddedPostgres in this process, as the gateway embeds it.
 */
export async function runRawInserts(context: ScenarioContext): Promise<RawInsertResult> {
  const { options, backend } = context;
  const storage = await createStorage(backend, 'raw', options.adminUrl);
  const loadBefore = loadAverage();
  try {
    const direct = await storage.open(options.rawConnections + 2);
    const clients: pg.Client[] = [];
    try {
      for (let i = 0; i < options.rawConnections; i++) {
        const client = new pg.Client({ connectionString: direct.connectionString });
        await client.connect();
        clients.push(client);
      }
      await clients[0].query(`CREATE TABLE raw_insert (
        id bigserial PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL, n integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`);
      const before = backend === 'postgres' ? await serverCounters(direct.connectionString) : null;
      const recorder = new LatencyRecorder();
      const cpu = new CpuMeter(null);
      cpu.start();
      const started = performance.now();
      const deadline = started + options.rawSeconds * 1000;
      await Promise.all(
        clients.map(async (client, connection) => {
          for (let n = 0; performance.now() < deadline; n++) {
            const t0 = performance.now();
            try {
              await client.query('INSERT INTO raw_insert (tenant_id, name, n) VALUES ($1, $2, $3)', ['default', `row-${connection}-${n}`, n]);
              recorder.record('insert', performance.now() - t0);
            } catch (error) {
              recorder.fail('insert', error instanceof Error ? error.message : String(error));
              if (recorder.failureCount > 20) return;
            }
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const shares = cpu.stop();
      for (const client of clients) await client.end();
      clients.length = 0; // their statistics are reported when they disconnect
      await new Promise((resolve) => setTimeout(resolve, 300));
      const server = before ? counterDelta(before, await serverCounters(direct.connectionString)) : undefined;
      const counter = new pg.Client({ connectionString: direct.connectionString });
      await counter.connect();
      const rows = Number((await counter.query<{ rows: string }>('SELECT count(*)::text AS rows FROM raw_insert')).rows[0].rows);
      await counter.end();
      return {
        scenario: 'd',
        backend,
        connections: options.rawConnections,
        seconds,
        rows,
        rowsPerSecond: rows / seconds,
        latency: recorder.summary('insert'),
        cpu: shares,
        server,
        loadBefore,
        loadAfter: loadAverage(),
        failures: recorder.failureCount,
        failureMessages: recorder.messages,
      };
    } finally {
      for (const client of clients) await client.end().catch(() => undefined);
      await direct.close();
    }
  } finally {
    await storage.dispose();
  }
}
