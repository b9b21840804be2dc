import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '#postgres/embedded/pglite.server.js';

/** A database of its own for one test suite; stop() removes it. */
export interface TestDatabase {
  readonly connectionString: string;
  stop(): Promise<void>;
}

export interface TestDatabaseBackend {
  readonly name: 'pglite' | 'postgres';
  /** maxConnections only matters on PGlite (its server refuses more); default 20. */
  start(options?: { readonly maxConnections?: number }): Promise<TestDatabase>;
}

let announced = false;

/**
 * The backends integration tests run against: embedded PGlite always, and the PostgreSQL server at DATABASE_URL
 * when that is set (each suite gets a database `t_<random>` there, so parallel Jest workers never meet).
 */
export function testDatabases(): TestDatabaseBackend[] {
  const serverUrl = process.env.DATABASE_URL;
  const backends: TestDatabaseBackend[] = [
    {
      name: 'pglite',
      start: (options) => startEmbeddedPostgres({ maxConnections: options?.maxConnections ?? 20 }),
    },
  ];
  if (serverUrl) backends.push({ name: 'postgres', start: () => createServerDatabase(serverUrl) });
  if (!announced) {
    announced = true;
    console.log(
      `database backends: ${backends.map((backend) => backend.name).join(', ')}` +
        (serverUrl ? ` (postgres at ${redactPassword(serverUrl)})` : ' (set DATABASE_URL to add a PostgreSQL server)'),
    );
  }
  return backends;
}

async function createServerDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  // The name is ours (hex), never input, which is why it may be spliced into DDL that takes no parameters.
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    connectionString: url.toString(),
    stop: () => withAdminClient(serverUrl, (client) => dropWhenIdle(client, name)),
  };
}

/**
 * pg's pool.end() resolves before the server has seen every connection go; a forced drop at that moment
 * terminates the stragglers, and their clients report 57P01 as an unhandled error into whichever test runs next.
 * So wait (briefly) for the last session to leave, and force only what still lingers.
 */
async function dropWhenIdle(admin: pg.Client, name: string): Promise<void> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
    const { rows } = await admin.query<{ sessions: number }>(
      'SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1',
      [name],
    );
    if (rows[0].sessions === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function redactPassword(connectionString: string): string {
  const url = new URL(connectionString);
  if (url.password) url.password = '***';
  return url.toString();
}
