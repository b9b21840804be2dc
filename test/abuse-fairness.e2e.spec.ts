import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { TenantReadSlots } from '../apps/gateway/src/http/tenant-read-limit.js';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const json = (response: { text: string }) => (response.text ? JSON.parse(response.text) : null);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const filter = (expression: string) => `filter=${encodeURIComponent(expression)}`;
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Every seeded email contains "e": no term is true, so each row's emails are walked 40 times (slow on purpose). */
const SLOW_FILTER = Array.from({ length: 40 }, () => 'not (emails[value co "e"])').join(' or ');
const SEEDED_USERS = 5_000;

/**
 * Per-tenant fairness (READ_CONCURRENCY_PER_TENANT): with the cap at 1 and a slow read of tenant A in flight, A's
 * next read is refused at once with 429, Retry-After and a SCIM error naming the limit, while tenant B is served.
 */
describe.each(backends())('per-tenant read concurrency on %s', (_name, database) => {
  let gateway: TestGateway;
  let owned: TestDatabase | null = null;
  const suffix = Date.now().toString(36);
  const tenantA = `fair-a-${suffix}`;
  const tenantB = `fair-b-${suffix}`;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    owned = database ? await database.start() : null;
    gateway = await startTestGateway({ READ_CONCURRENCY_PER_TENANT: '1', READ_QUEUE_PER_TENANT: '0', ...(owned ? { DATABASE_URL: owned.connectionString } : {}) });
    for (const id of [tenantA, tenantB]) expect((await gateway.admin('post', '/admin/v1/tenants', { id })).status).toBe(201);
    tokenA = json(await gateway.admin('post', `/admin/v1/tenants/${tenantA}/tokens`, { label: 'A' })).token;
    tokenB = json(await gateway.admin('post', `/admin/v1/tenants/${tenantB}/tokens`, { label: 'B' })).token;
    // Read-model rows written directly: the read path is what is under test, and the projection would take minutes.
    await gateway.runtime.dataSource.query(
      `INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, attributes, version, created_at, last_modified_at)
       SELECT $1, gen_random_uuid(), 'user' || i, 'user' || i,
              jsonb_build_object('userName', 'user' || i, 'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work'))),
              1, now(), now()
       FROM generate_series(1, ${SEEDED_USERS}) AS i`,
      [tenantA],
    );
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await owned?.stop();
  });

  it('refuses a second read of the same tenant with 429 while another tenant is served', async () => {
    const slots = gateway.app.get(TenantReadSlots);
    const slow = gateway.as(tokenA, 'get', `/scim/v2/Users?${filter(SLOW_FILTER)}&count=1`).then((response) => response);
    for (let waited = 0; slots.runningFor(tenantA) === 0; waited += 5) {
      if (waited > 10_000) throw new Error('the slow read never started');
      await sleep(5);
    }

    const refused = await gateway.as(tokenA, 'get', '/scim/v2/Users?count=1');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(json(refused)).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '429',
      detail: expect.stringContaining('at most 1 may run at the same time (READ_CONCURRENCY_PER_TENANT)'),
    });

    const other = await gateway.as(tokenB, 'get', '/scim/v2/Users?count=1');
    expect(other.status).toBe(200);

    // The slow read ends as a search (200), or, on a server, stopped by READ_STATEMENT_TIMEOUT_MS (400): never 5xx.
    expect([200, 400]).toContain((await slow).status);
    expect(slots.runningFor(tenantA)).toBe(0);
    expect((await gateway.as(tokenA, 'get', '/scim/v2/Users?count=1')).status).toBe(200);
  }, 120_000);
});

/**
 * Outages (issue 12): a gateway on a PostgreSQL cluster of its own, which the test stops. Reads (the bearer
 * token's tenant lookup included) and writes are 503 with Retry-After, not 500; once the cluster is back, the
 * same gateway serves again without a restart.
 */
const cluster = ownCluster();
(cluster ? describe : describe.skip)('a PostgreSQL outage', () => {
  let gateway: TestGateway;
  let userId: string;
  /** A token never used yet: no cache knows it, so authenticating it reads the tenancy tables. */
  let unusedToken: string;

  beforeAll(async () => {
    await cluster!.start();
    gateway = await startTestGateway({ DATABASE_URL: cluster!.url });
    const created = await gateway.scim('post', '/scim/v2/Users', entraUser(`outage.${Date.now()}@contoso.com`));
    expect(created.status).toBe(201);
    userId = json(created).id;
    unusedToken = json(await gateway.admin('post', '/admin/v1/tenants/default/tokens', { label: 'unused' })).token;
  }, 120_000);

  afterAll(async () => {
    await cluster!.start().catch(() => undefined);
    await gateway?.close();
    cluster!.remove();
  }, 60_000);

  it('answers reads and writes 503 with Retry-After while the database is down, and recovers by itself', async () => {
    cluster!.stop();
    const answers = [
      await gateway.as(unusedToken, 'get', '/scim/v2/Users?count=1'),
      await gateway.scim('get', `/scim/v2/Users/${userId}`),
      await gateway.scim('get', '/scim/v2/Users?filter=userName%20sw%20%22outage%22'),
      await gateway.scim('post', '/scim/v2/Users', entraUser(`during.${Date.now()}@contoso.com`)),
      await gateway.scim('patch', `/scim/v2/Users/${userId}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
      }),
      await gateway.scim('delete', `/scim/v2/Users/${userId}`),
    ];
    for (const answer of answers) {
      expect({ status: answer.status, retryAfter: answer.headers['retry-after'], body: json(answer)?.status }).toEqual({
        status: 503,
        retryAfter: '1',
        body: '503',
      });
    }

    await cluster!.start();
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      status = (await gateway.scim('get', `/scim/v2/Users/${userId}`)).status;
      if (status !== 200) await sleep(200);
    }
    expect(status).toBe(200);
  }, 120_000);
});

function backends(): [string, (typeof testDatabases extends () => (infer B)[] ? B : never) | null][] {
  const server = testDatabases().find((backend) => backend.name === 'postgres');
  return [['embedded PGlite', null], ...(server ? [['PostgreSQL server', server] as [string, typeof server]] : [])];
}

/**
 * A throwaway PostgreSQL cluster (Debian's binaries, run as the postgres user as scripts/ci/start-postgres.sh
 * does) on a free port, for a test that stops and starts it; null where that cannot be done (not root, no
 * binaries, or no DATABASE_URL: the server tests are not being run).
 */
function ownCluster(): { url: string; start(): Promise<void>; stop(): void; remove(): void } | null {
  const bin = '/usr/lib/postgresql/15/bin';
  if (!process.env.DATABASE_URL || process.getuid?.() !== 0 || !fs.existsSync(`${bin}/pg_ctl`)) return null;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-outage-'));
  const data = path.join(root, 'data');
  let port = 0;
  let initialised = false;
  const asPostgres = (command: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/${command}`, ...args], { stdio: 'ignore' });
  return {
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    },
    async start() {
      if (!initialised) {
        fs.chownSync(root, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
        asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--encoding=UTF8']);
        port = await freePort();
        initialised = true;
      }
      asPostgres('pg_ctl', ['-D', data, '-l', path.join(root, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1`, 'start']);
    },
    stop() {
      asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    remove() {
      try {
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
