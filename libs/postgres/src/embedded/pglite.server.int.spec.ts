import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { transpileForChildProcess } from '#testing/typescript-child.js';
import { EventStoreUnavailableError } from '#event-store/event-store.errors.js';
import { START } from '#event-store/event-store.port.js';
import { LOCK_FILE_NAME } from './data-dir.lock.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './pglite.server.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { migrateEventStore } from '#event-store/postgres/postgres.schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BURST_CHILD = path.resolve(here, '../../../testing/src/event-store-append-burst.child.ts');

async function connect(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return client;
}

describe('startEmbeddedPostgres in memory', () => {
  let embedded: EmbeddedPostgres;
  let pool: pg.Pool;
  beforeAll(async () => {
    embedded = await startEmbeddedPostgres({ maxConnections: 12 });
    pool = new pg.Pool({ connectionString: embedded.connectionString, max: 8 });
    await pool.query('CREATE TABLE items (id int PRIMARY KEY, note text)');
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await embedded?.stop();
  });

  it('serves PGlite to pg on a Unix socket in a private directory of its own, removed on stop', async () => {
    const url = new URL(embedded.connectionString);
    const directory = url.searchParams.get('host')!;
    expect(path.isAbsolute(directory)).toBe(true);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(directory, `.s.PGSQL.${url.port}`))).toBe(true);
    const { rows } = await pool.query('SELECT version() AS version');
    expect(rows[0].version).toMatch(/PGlite/);

    const other = await startEmbeddedPostgres({ maxConnections: 1 });
    const otherDirectory = new URL(other.connectionString).searchParams.get('host')!;
    expect(otherDirectory).not.toBe(directory);
    await Promise.all([other.stop(), other.stop()]);
    await other.stop(); // idempotent
    expect(existsSync(otherDirectory)).toBe(false);
  });

  it('runs PGlite in a thread of its own: a long query does not hold up this thread', async () => {
    if (embedded.thread !== 'worker') {
      throw new Error('PGlite ran in the main thread: dist/libs/postgres/src/embedded/pglite.worker.js is missing or older than its sources; run npm run build');
    }
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    try {
      const started = performance.now();
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM generate_series(1, 3000000)');
      const took = performance.now() - started;
      expect(rows[0].n).toBe(3_000_000);
      expect(took).toBeGreaterThan(200);
      // In this thread the timer would wait for the whole query.
      expect(longestGap).toBeLessThan(took / 2);
    } finally {
      clearInterval(ticker);
    }
  });

  it('lets connections share a named prepared statement, as if each had prepared it', async () => {
    const clients = [await connect(embedded.connectionString), await connect(embedded.connectionString), await connect(embedded.connectionString)];
    try {
      await pool.query('INSERT INTO items (id, note) VALUES (101, $1), (102, $2)', ['one', 'two']);
      const lookup = (client: pg.Client, id: number) => client.query({ name: 'items_by_id', text: 'SELECT note FROM items WHERE id = $1', values: [id] });
      expect((await lookup(clients[0], 101)).rows).toEqual([{ note: 'one' }]);
      // PGlite has one session: without sharing, this Parse would fail with "already exists".
      expect((await lookup(clients[1], 102)).rows).toEqual([{ note: 'two' }]);
      expect((await lookup(clients[0], 102)).rows).toEqual([{ note: 'two' }]);
      // The same name for another statement is refused (a server would have prepared it per connection).
      await expect(clients[2].query({ name: 'items_by_id', text: 'SELECT id FROM items WHERE note = $1', values: ['one'] })).rejects.toThrow(/already exists/);
      expect((await clients[2].query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      // A statement that failed to prepare is not remembered: the next connection gets the same error.
      for (const client of clients) {
        await expect(client.query({ name: 'broken', text: 'SELEC nothing', values: [] })).rejects.toThrow(/syntax error/);
      }
    } finally {
      for (const client of clients) await client.end();
      await pool.query('DELETE FROM items WHERE id IN (101, 102)');
    }
  });

  it("keeps one connection's statement whole while its messages span several TCP reads", async () => {
    // pglite-socket 0.2.17 ran another connection's Parse between this Bind's halves here.
    const large = 'x'.repeat(300_000);
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        try {
          if (index % 2 === 1) {
            const { rows } = await pool.query('SELECT length($1::text) AS length, $2::int AS index', [large, index]);
            if (rows[0].length !== large.length || rows[0].index !== index) failures.push(`large ${index}: ${JSON.stringify(rows[0])}`);
          } else {
            const { rows } = await pool.query('SELECT $1::int AS index, $2::text AS label', [index, `label-${index}`]);
            if (rows[0].index !== index || rows[0].label !== `label-${index}`) failures.push(`small ${index}: ${JSON.stringify(rows[0])}`);
          }
        } catch (error) {
          failures.push(`${index}: ${String(error).slice(0, 200)}`);
        }
      }),
    );
    expect(failures).toEqual([]);
  });

  it('gives a connection inside a transaction the database to itself until it ends', async () => {
    const writer = await pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query('INSERT INTO items VALUES (1, $1)', ['in a transaction']);
      const order: string[] = [];
      const reader = pool.query('SELECT count(*)::int AS n FROM items').then(({ rows }) => {
        order.push(`read ${rows[0].n}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push('commit');
      await writer.query('COMMIT');
      await reader;
      expect(order).toEqual(['commit', 'read 1']);
    } finally {
      writer.release();
    }
  });

  it('rolls back what a departed connection left open, and lets the others in', async () => {
    const quitter = await connect(embedded.connectionString);
    await quitter.query('BEGIN');
    await quitter.query('INSERT INTO items VALUES (2, $1)', ['never committed']);
    await quitter.end(); // Terminate inside a transaction

    // A raw client that dies between Parse and Sync, holding the database in the middle of an extended query.
    const url = new URL(embedded.connectionString);
    const raw = net.connect(path.join(url.searchParams.get('host')!, `.s.PGSQL.${url.port}`));
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write(startupMessage());
    await new Promise((resolve) => raw.once('data', resolve)); // authentication ok … ready for query
    raw.write(parseMessage("INSERT INTO items VALUES (3, 'half a statement')"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    raw.destroy();

    const started = performance.now();
    const { rows } = await pool.query('SELECT id FROM items ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a connection beyond maxConnections waits for another to close, then is served', async () => {
    const small = await startEmbeddedPostgres({ maxConnections: 2 });
    const clients: pg.Client[] = [];
    try {
      clients.push(await connect(small.connectionString), await connect(small.connectionString));
      let connected = false;
      const third = connect(small.connectionString).then((client) => {
        connected = true;
        return client;
      });
      // Still waiting after the two others have answered a query each: it was neither refused nor let in.
      for (const client of clients) await client.query('SELECT 1');
      expect(connected).toBe(false);
      await clients.shift()!.end();
      const served = await third;
      clients.push(served);
      const { rows } = await served.query('SELECT 41 + 1 AS answer');
      expect(rows[0].answer).toBe(42);
    } finally {
      for (const client of clients) await client.end();
      await small.stop();
    }
  }, 60_000);

  it('refuses a connection that waited connectionWaitMs for a free slot, with a PostgreSQL error', async () => {
    const small = await startEmbeddedPostgres({ maxConnections: 1, connectionWaitMs: 300 });
    const clients: pg.Client[] = [];
    try {
      clients.push(await connect(small.connectionString));
      await expect(connect(small.connectionString)).rejects.toThrow(/too many connections to the embedded database \(max 1; waited 300 ms/);
      const { rows } = await clients[0].query('SELECT 1 AS one');
      expect(rows[0].one).toBe(1);
    } finally {
      for (const client of clients) await client.end();
      await small.stop();
    }
  }, 60_000);

  it('a store whose embedded database stopped reports EventStoreUnavailableError', async () => {
    const doomed = await startEmbeddedPostgres({ maxConnections: 4 });
    const backgroundErrors: unknown[] = [];
    const store = await PostgresEventStore.create(doomed.connectionString, { poolSize: 2, onBackgroundError: (error) => backgroundErrors.push(error) });
    try {
      await store.ping();
      await doomed.stop();
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readAll({ after: START, maxCount: 1 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('startEmbeddedPostgres on disk', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pglite-server-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('locks DATA_DIR: a second start refuses, naming the holder and the fix; stop releases it; data persists', async () => {
    const first = await startEmbeddedPostgres({ dataDir, maxConnections: 4 });
    const lockPath = path.join(dataDir, LOCK_FILE_NAME);
    try {
      expect(readFileSync(lockPath, 'utf8')).toBe(String(process.pid));
      const client = await connect(first.connectionString);
      await client.query(`CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`);
      await client.end();

      const second = startEmbeddedPostgres({ dataDir, maxConnections: 4 });
      await expect(second).rejects.toThrow(`Another gateway (pid ${process.pid}) is using DATA_DIR ${path.resolve(dataDir)}`);
      await expect(second).rejects.toThrow(/Stop that gateway first.*delete .*gateway\.lock/s);
    } finally {
      await first.stop();
    }
    expect(existsSync(lockPath)).toBe(false);

    const reopened = await startEmbeddedPostgres({ dataDir, maxConnections: 4 });
    try {
      const client = await connect(reopened.connectionString);
      expect((await client.query('SELECT note FROM kept')).rows).toEqual([{ note: 'still here' }]);
      await client.end();
    } finally {
      await reopened.stop();
    }
  }, 90_000);

  it("rejects with the database thread's error when PGlite cannot open the directory, and releases the lock", async () => {
    mkdirSync(path.join(dataDir, 'pgdata'));
    writeFileSync(path.join(dataDir, 'pgdata', 'PG_VERSION'), 'not a version\n');
    await expect(startEmbeddedPostgres({ dataDir, maxConnections: 4 })).rejects.toThrow(/PGlite failed to initialize/);
    expect(existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(false);
  }, 60_000);

  it('refuses a lock held by another live process', async () => {
    writeFileSync(path.join(dataDir, LOCK_FILE_NAME), String(process.ppid));
    await expect(startEmbeddedPostgres({ dataDir, maxConnections: 4 })).rejects.toThrow(`Another gateway (pid ${process.ppid})`);
  });

  it('takes over a lock whose process is gone', async () => {
    const exited = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => exited.once('exit', resolve));
    const lockPath = path.join(dataDir, LOCK_FILE_NAME);
    writeFileSync(lockPath, String(exited.pid));
    const embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 4 });
    try {
      expect(readFileSync(lockPath, 'utf8')).toBe(String(process.pid));
    } finally {
      await embedded.stop();
    }
  }, 60_000);

  it('keeps every acknowledged append when the process is killed with SIGKILL mid-burst', async () => {
    const child = await transpileForChildProcess(BURST_CHILD);
    const acknowledged: string[] = [];
    try {
      const burst = spawn(process.execPath, [child.entryPath, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      burst.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      let pending = '';
      burst.stdout.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.startsWith('ack ')) acknowledged.push(line.slice(4));
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => burst.once('exit', (_code, signal) => resolve(signal)));
      const deadline = Date.now() + 90_000;
      while (acknowledged.length < 400) {
        if (burst.exitCode !== null) throw new Error(`the burst process ended early: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`only ${acknowledged.length} appends in 90 s: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      burst.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      await child.cleanup();
    }

    // The killed process left its lock behind; the reopen takes it over and PostgreSQL recovers from its WAL.
    const reopened = await startEmbeddedPostgres({ dataDir, maxConnections: 4 });
    const store = await PostgresEventStore.create(reopened.connectionString, { poolSize: 2 });
    try {
      const stored = new Set<string>();
      for (let after = START; ; ) {
        const batch = await store.readAll({ after, maxCount: 1_000 });
        if (batch.length === 0) break;
        for (const event of batch) stored.add(event.id);
        after = batch[batch.length - 1].position;
      }
      const lost = acknowledged.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
      for (let writer = 0; writer < 6; writer++) {
        const stream = await store.readStream(`burst.user-${writer}`);
        expect(stream.map((event) => event.revision)).toEqual(stream.map((_, index) => BigInt(index)));
      }
      console.log(`kill -9: ${acknowledged.length} acknowledged appends, all ${stored.size >= acknowledged.length ? 'present' : 'NOT present'} after reopening (${stored.size} stored)`);
    } finally {
      await store.close();
      await reopened.stop();
    }
  }, 180_000);
});

function startupMessage(): Buffer {
  const body = Buffer.from('user\0postgres\0database\0postgres\0\0', 'utf8');
  const message = Buffer.alloc(8 + body.length);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(196608, 4);
  body.copy(message, 8);
  return message;
}

function parseMessage(sql: string): Buffer {
  const body = Buffer.concat([Buffer.from(`\0${sql}\0`, 'utf8'), Buffer.from([0, 0])]); // unnamed statement, no parameter types
  const header = Buffer.alloc(5);
  header.write('P', 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
