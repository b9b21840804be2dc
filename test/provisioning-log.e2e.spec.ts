import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { GlobalPosition } from '#event-store/event-store.port.js';
import { runAdminCli } from '../apps/admin/src/admin.main.js';
import type { CommandOutput } from '../apps/admin/src/admin-command.js';
import type { StoredProvisioningLogEntry } from '../apps/gateway/src/provisioning-log/provisioning-log.entry.js';
import { entraUser, startTestGateway, TEST_ADMIN_TOKEN, TEST_TOKEN, type TestGateway } from './support/test-gateway.js';

/** An entry as the admin API answers it. */
type Entry = StoredProvisioningLogEntry;
interface Page {
  entries: Entry[];
  nextCursor: string | null;
}

const LOG = '/admin/v1/tenants/default/provisioning-log';
/** This run's request ids and user names: a PostgreSQL server (DATABASE_URL) keeps other runs' and suites' rows. */
const RUN = randomBytes(4).toString('hex');
const rid = (name: string) => `pl-${RUN}-${name}`;
const userName = (name: string) => `${name}-${RUN}@contoso.com`;
const UNAUTHENTICATED_LOG = '/admin/v1/provisioning-log/unauthenticated';

/** Issue 7 "Provisioning log": every SCIM request recorded, queryable through the admin API and the CLI. */
describe.each(backends())('provisioning log on %s', (_name, env) => {
  let gateway: TestGateway;
  let started: Date;
  let headBefore: GlobalPosition;
  let created: { id: string };
  const json = (response: { text: string }) => JSON.parse(response.text);

  const page = async (path: string): Promise<Page> => {
    const response = await gateway.admin('get', path);
    expect(response.status).toBe(200);
    return json(response) as Page;
  };
  const sinceStart = () => `since=${encodeURIComponent(started.toISOString())}`;
  /** All of the tenant's (or the unauthenticated) entries since this suite started, following the cursor. */
  const entriesSince = async (log: string): Promise<Entry[]> => {
    const entries: Entry[] = [];
    let cursor: string | null = null;
    do {
      const next: Page = await page(`${log}?${sinceStart()}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      entries.push(...next.entries);
      cursor = next.nextCursor;
    } while (cursor);
    return entries;
  };
  /** This run's requests among entries, by the names given to rid(). */
  const requestIdsOf = (entries: Entry[]) =>
    entries.map((entry) => entry.requestId).filter((id) => id?.startsWith(rid(''))).map((id) => id!.slice(rid('').length));
  /** The log is written in batches after the responses: poll until the entries of these requests are in. */
  const waitForRequests = async (...names: string[]): Promise<Map<string, Entry>> => {
    for (let attempt = 0; ; attempt++) {
      const found = new Map<string, Entry>();
      for (const entry of [...(await entriesSince(LOG)), ...(await entriesSince(UNAUTHENTICATED_LOG))]) {
        const [name] = requestIdsOf([entry]);
        if (name !== undefined && names.includes(name)) found.set(name, entry);
      }
      if (found.size === names.length) return found;
      if (attempt > 200) throw new Error(`not logged: ${names.filter((name) => !found.has(name)).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    gateway = await startTestGateway(env);
    started = new Date();
    headBefore = await gateway.runtime.eventStore.headPosition();
    // The requests the brief names, each with a request id to find it by.
    created = json(await gateway.scim('post', '/scim/v2/Users', entraUser(userName('logged'))).set('X-Request-Id', rid('create')).expect(201));
    await gateway.scim('post', '/scim/v2/Users', { ...entraUser(userName('bad')), active: 'yes please' }).set('X-Request-Id', rid('bad')).expect(400);
    await gateway.scim('get', '/scim/v2/Users/00000000-0000-4000-8000-000000000000?attributes=userName').set('X-Request-Id', rid('missing')).expect(404);
    await gateway.as('not-a-token-not-a-token', 'get', '/scim/v2/Users').set('X-Request-Id', rid('unauthorised')).expect(401);
    await request(gateway.app.getHttpServer())
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${TEST_TOKEN}`)
      .set('Content-Type', 'application/scim+json')
      .set('X-Request-Id', rid('not-json'))
      .send('{"userName": ')
      .expect(400);
    await gateway.scim('post', '/scim/v2/dry-run/Users', entraUser(userName('rehearsed'))).set('X-Request-Id', rid('dry')).expect(201);
    await gateway.scim('patch', `/scim/v2/Users/${created.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    }).set('X-Request-Id', rid('patch')).expect(200);
    await gateway.admin('get', '/health').set('X-Request-Id', rid('health'));
    await waitForRequests('create', 'bad', 'missing', 'unauthorised', 'not-json', 'dry', 'patch');
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('records a created user: 201, its id from Location, the events it appended, who sent it', async () => {
    const entry = (await waitForRequests('create')).get('create')!;
    expect(entry).toMatchObject({
      tenantId: 'default',
      tokenId: expect.any(String),
      method: 'POST',
      path: '/scim/v2/Users',
      query: null,
      resourceType: 'User',
      resourceId: created.id,
      status: 201,
      scimType: null,
      detail: null,
      dryRun: false,
    });
    expect(entry.eventIds.length).toBeGreaterThan(0);
    expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(started.getTime() - 1);
    // The log's event ids are the store's (read from before the request: a PostgreSQL server keeps other runs' events).
    const events = await gateway.runtime.eventStore.readAll({ after: headBefore, maxCount: 10_000 });
    const stored = new Set(events.map((event) => event.id));
    for (const eventId of entry.eventIds) expect(stored.has(eventId)).toBe(true);
  });

  it('records a refused request with the scimType and detail its response carried', async () => {
    const response = await gateway.scim('post', '/scim/v2/Users', { ...entraUser(userName('bad2')), active: 'yes please' }).set('X-Request-Id', rid('bad-2'));
    const entry = (await waitForRequests('bad-2')).get('bad-2')!;
    expect(entry).toMatchObject({ status: 400, scimType: json(response).scimType, detail: json(response).detail, eventIds: [], tenantId: 'default' });
    expect(entry.scimType).toEqual(expect.any(String));
  });

  it('records a 404 with the id that was asked for and the query string apart from the path', async () => {
    expect((await waitForRequests('missing')).get('missing')).toMatchObject({
      status: 404,
      path: '/scim/v2/Users/00000000-0000-4000-8000-000000000000',
      query: 'attributes=userName',
      resourceType: 'User',
      resourceId: '00000000-0000-4000-8000-000000000000',
      detail: expect.stringContaining('not found'),
    });
  });

  it('records a 401 without a tenant, visible among the unauthenticated requests only', async () => {
    const unauthenticated = await entriesSince(UNAUTHENTICATED_LOG);
    expect(unauthenticated.find((entry) => entry.requestId === rid('unauthorised'))).toMatchObject({
      tenantId: null,
      tokenId: null,
      status: 401,
      detail: expect.stringContaining('not valid'),
    });
    expect(requestIdsOf(await entriesSince(LOG))).not.toContain('unauthorised');
  });

  it('attributes a request refused before the bearer guard (invalid JSON) to the token’s tenant', async () => {
    expect((await waitForRequests('not-json')).get('not-json')).toMatchObject({ tenantId: 'default', status: 400, scimType: 'invalidSyntax' });
  });

  it('marks dry-run requests, with the events they would have appended', async () => {
    const entry = (await waitForRequests('dry')).get('dry')!;
    expect(entry).toMatchObject({ dryRun: true, status: 201, path: '/scim/v2/dry-run/Users', resourceType: 'User' });
    expect(entry.eventIds.length).toBeGreaterThan(0);
    expect(requestIdsOf((await page(`${LOG}?dryRun=true&${sinceStart()}`)).entries)).toEqual(['dry']);
    expect(requestIdsOf((await page(`${LOG}?dryRun=false&limit=1000&${sinceStart()}`)).entries)).not.toContain('dry');
  });

  it('does not record the admin API or the health check', async () => {
    const all = [...(await entriesSince(LOG)), ...(await entriesSince(UNAUTHENTICATED_LOG))];
    expect(all.every((entry) => entry.path.startsWith('/scim/v2'))).toBe(true);
    expect(requestIdsOf(all)).not.toContain('health');
  });

  it('queries by status and status class, newest first', async () => {
    expect(requestIdsOf((await page(`${LOG}?status=404&${sinceStart()}`)).entries)).toEqual(['missing']);
    const clientErrors = requestIdsOf((await page(`${LOG}?status=4xx&${sinceStart()}`)).entries);
    expect(clientErrors).toEqual(expect.arrayContaining(['bad', 'missing', 'not-json']));
    expect(clientErrors.indexOf('missing')).toBeLessThan(clientErrors.indexOf('bad'));
    expect(requestIdsOf((await page(`${LOG}?status=5xx&${sinceStart()}`)).entries)).toEqual([]);
  });

  it('queries by resource: everything that happened to one user', async () => {
    const history = (await page(`${LOG}?resourceType=User&resourceId=${created.id}`)).entries;
    expect(history.map((entry) => [...requestIdsOf([entry]), entry.method, entry.status])).toEqual([
      ['patch', 'PATCH', 200],
      ['create', 'POST', 201],
    ]);
  });

  it('queries by time range', async () => {
    const create = (await waitForRequests('create')).get('create')!;
    const patch = (await waitForRequests('patch')).get('patch')!;
    const window = await page(`${LOG}?since=${encodeURIComponent(create.at)}&until=${encodeURIComponent(patch.at)}&limit=1000`);
    const ids = requestIdsOf(window.entries);
    expect(ids).toContain('create');
    expect(ids).not.toContain('patch'); // until is exclusive
    expect(window.entries.every((entry) => entry.at >= create.at && entry.at < patch.at)).toBe(true);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await page(`${LOG}?since=${encodeURIComponent(future)}`)).entries).toEqual([]);
  });

  it('pages with a cursor through every entry exactly once', async () => {
    const everything = requestIdsOf(await entriesSince(LOG));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const next: Page = await page(`${LOG}?limit=2&${sinceStart()}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(next.entries.length).toBeLessThanOrEqual(2);
      paged.push(...requestIdsOf(next.entries));
      cursor = next.nextCursor;
    } while (cursor);
    expect(paged).toEqual(everything);
  });

  it('answers 400 naming the parameter, 404 for an unknown tenant, 401 without the admin token', async () => {
    const refused = await gateway.admin('get', `${LOG}?status=four-hundred`);
    expect(refused.status).toBe(400);
    expect(json(refused).scimType).toBe('invalidValue');
    expect(json(refused).detail).toMatch(/status="four-hundred" must be an HTTP status \(404\) or a class \(4xx, 5xx\)/);
    expect(json(await gateway.admin('get', `${LOG}?since=last-tuesday`).expect(400)).detail).toMatch(/since=/);
    expect(json(await gateway.admin('get', `${LOG}?resource_type=User`).expect(400)).detail).toMatch(/unknown parameter "resource_type"/);
    expect(json(await gateway.admin('get', `${LOG}?cursor=garbage`).expect(400)).detail).toMatch(/cursor/);
    await gateway.admin('get', '/admin/v1/tenants/nobody/provisioning-log').expect(404);
    await request(gateway.app.getHttpServer()).get(LOG).expect(401);
    await gateway.as(TEST_TOKEN, 'get', LOG).expect(401);
  });

  it('reads one entry by its id; 404 for an unknown id or another tenant’s entry, 400 for a malformed id', async () => {
    const entry = (await waitForRequests('patch')).get('patch')!;
    expect(json(await gateway.admin('get', `${LOG}/${entry.id}`).expect(200))).toEqual(entry);

    // Another tenant's request: its entry is not the default tenant's, whatever its id.
    const other = `pl-${RUN}`;
    await gateway.admin('post', '/admin/v1/tenants', { id: other }).expect(201);
    const token = (json(await gateway.admin('post', `/admin/v1/tenants/${other}/tokens`, { label: 'other' }).expect(201)) as { token: string }).token;
    await gateway.as(token, 'get', '/scim/v2/Users').set('X-Request-Id', rid('other-tenant')).expect(200);
    let foreign: Entry | undefined;
    for (let attempt = 0; !foreign && attempt < 200; attempt++) {
      foreign = (await page(`/admin/v1/tenants/${other}/provisioning-log?${sinceStart()}`)).entries.find((candidate) => candidate.requestId === rid('other-tenant'));
      if (!foreign) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(json(await gateway.admin('get', `/admin/v1/tenants/${other}/provisioning-log/${foreign!.id}`).expect(200)).tenantId).toBe(other);
    const elsewhere = json(await gateway.admin('get', `${LOG}/${foreign!.id}`).expect(404));
    expect(elsewhere.detail).toContain(`no entry ${foreign!.id} in the provisioning log of tenant "default"`);

    await gateway.admin('get', `${LOG}/9223372036854775807`).expect(404);
    const malformed = json(await gateway.admin('get', `${LOG}/not-a-number`).expect(400));
    expect(malformed.scimType).toBe('invalidValue');
    expect(malformed.detail).toContain('not an id of the provisioning log');
    await gateway.admin('get', `/admin/v1/tenants/nobody/provisioning-log/${entry.id}`).expect(404);
    await request(gateway.app.getHttpServer()).get(`${LOG}/${entry.id}`).expect(401);
  });

  describe('npm run admin -- provisioning-log list', () => {
    let adminUrl: string;
    beforeAll(async () => {
      const server = gateway.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    const cli = async (...argv: string[]): Promise<{ code: number; lines: string[] }> => {
      const lines: string[] = [];
      const output: CommandOutput = { out: (text) => lines.push(...text.split('\n')), write: () => undefined };
      const code = await runAdminCli(argv, { ADMIN_URL: adminUrl, ADMIN_TOKEN: TEST_ADMIN_TOKEN }, output);
      return { code, lines };
    };

    it('prints one line per entry: time, method, path, status, duration, scimType, detail, event ids', async () => {
      const { code, lines } = await cli('provisioning-log', 'list', 'default', '--status', '4xx', '--resource-type', 'User', '--since', started.toISOString());
      expect(code).toBe(0);
      const missing = lines.find((line) => line.includes('/scim/v2/Users/00000000-0000-4000-8000-000000000000'));
      expect(missing).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}GET +\/scim\/v2\/Users\/0{8}-0000-4000-8000-0{12}\?attributes=userName {2}404 {2}[\d.]+ms {2}".*not found.*"$/);
      const bad = (await waitForRequests('bad')).get('bad')!;
      expect(lines).toContain(`${bad.at}  POST    /scim/v2/Users  400  ${bad.durationMs}ms  ${bad.scimType}  ${JSON.stringify(bad.detail)}`);

      const mine = await cli('provisioning-log', 'list', 'default', '--resource-id', created.id, '--since', '1h', '--limit', '1');
      expect(mine.lines[0]).toMatch(/PATCH +\/scim\/v2\/Users\/\S+ {2}200 {2}[\d.]+ms {2}events \S+/);
      expect(mine.lines[1]).toMatch(/more entries/);
    });

    it('--json prints the entries, --dry-run only rehearsals, --unauthenticated the failed attempts', async () => {
      const asJson = await cli('provisioning-log', 'list', 'default', '--since', started.toISOString(), '--json', '--dry-run');
      expect(asJson.code).toBe(0);
      expect(JSON.parse(asJson.lines.join('\n')).entries.map((entry: Entry) => entry.requestId)).toEqual([rid('dry')]);
      const unauthenticated = await cli('provisioning-log', 'list', '--unauthenticated', '--status', '401');
      expect(unauthenticated.lines.some((line) => / 401 /.test(line))).toBe(true);
    });

    it('reports the API refusing a parameter, and usage mistakes', async () => {
      const refused = await cli('provisioning-log', 'list', 'default', '--status', 'teapot');
      expect(refused).toEqual({ code: 1, lines: [expect.stringMatching(/^refused \(400\): status="teapot" must be/)] });
      expect((await cli('provisioning-log', 'list')).code).toBe(2);
      expect((await cli('provisioning-log', 'list', 'nobody')).code).toBe(1);
    });
  });
});

function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['embedded PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}
