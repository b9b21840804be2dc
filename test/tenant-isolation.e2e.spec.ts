import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CORE_USER, entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const json = (response: { text: string }) => (response.text ? JSON.parse(response.text) : null);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const filter = (expression: string) => `filter=${encodeURIComponent(expression)}`;

/**
 * Tenant B, holding its own valid token, tries every SCIM endpoint on tenant A's data. Each attempt must look
 * exactly like one on an id that never existed (same status, same body apart from the id): B must not even learn
 * that A's ids exist.
 */
describe.each(backends())('tenant isolation on %s', (_name, env) => {
  let gateway: TestGateway;
  const suffix = Date.now().toString(36);
  const tenantA = `iso-a-${suffix}`;
  const tenantB = `iso-b-${suffix}`;
  const userName = `shared.name.${suffix}@contoso.com`;
  const externalId = `ext-shared-${suffix}`;
  const groupName = `Shared Group ${suffix}`;
  let tokenA: string;
  let tokenB: string;
  let userA: { id: string; [key: string]: unknown };
  let groupA: { id: string; [key: string]: unknown };
  let groupB: { id: string };

  const a = (method: Method, path: string, body?: unknown) => gateway.as(tokenA, method, `/scim/v2${path}`, body);
  const b = (method: Method, path: string, body?: unknown) => gateway.as(tokenB, method, `/scim/v2${path}`, body);

  beforeAll(async () => {
    gateway = await startTestGateway(env);
    for (const id of [tenantA, tenantB]) expect((await gateway.admin('post', '/admin/v1/tenants', { id })).status).toBe(201);
    tokenA = json(await gateway.admin('post', `/admin/v1/tenants/${tenantA}/tokens`, { label: 'A' })).token;
    tokenB = json(await gateway.admin('post', `/admin/v1/tenants/${tenantB}/tokens`, { label: 'B' })).token;

    const createdUser = await a('post', '/Users', entraUser(userName, externalId));
    expect(createdUser.status).toBe(201);
    userA = json(createdUser);
    const createdGroup = await a('post', '/Groups', { schemas: [GROUP], displayName: groupName, members: [{ value: userA.id, type: 'User' }] });
    expect(createdGroup.status).toBe(201);
    groupA = json(createdGroup);
    const createdGroupB = await b('post', '/Groups', { schemas: [GROUP], displayName: `B only ${suffix}` });
    expect(createdGroupB.status).toBe(201);
    groupB = json(createdGroupB);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  /** B's request on A's id answers exactly what the same request on a never-existing id answers. */
  const expectSameAsNeverExisting = async (method: Method, resource: 'Users' | 'Groups', idOfA: string, body?: unknown, query = '') => {
    const never = randomUUID();
    const onA = await b(method, `/${resource}/${idOfA}${query}`, body);
    const onNever = await b(method, `/${resource}/${never}${query}`, body);
    expect(onNever.status).toBe(404);
    expect({ status: onA.status, body: json(onA)?.detail === undefined ? json(onA) : { ...json(onA), detail: json(onA).detail.replaceAll(idOfA, '<id>') } }).toEqual({
      status: onNever.status,
      body: { ...json(onNever), detail: json(onNever).detail.replaceAll(never, '<id>') },
    });
    expect(onA.text).not.toContain(userName);
    expect(onA.text).not.toContain(groupName);
  };

  describe('B cannot read or change A\'s user', () => {
    it.each([
      ['GET', 'get', undefined, ''],
      ['GET ?attributes=userName', 'get', undefined, '?attributes=userName'],
      ['PUT', 'put', { schemas: [CORE_USER], userName: 'hijacked@contoso.com' }, ''],
      ['PATCH', 'patch', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, ''],
      ['DELETE', 'delete', undefined, ''],
    ] as const)('%s /Users/{A\'s id}: 404 like a never-existing id', async (_label, method, body, query) => {
      await expectSameAsNeverExisting(method, 'Users', userA.id, body, query);
    });

    it('GET /Users/{A\'s id} with If-None-Match of A\'s version is still 404 (no 304 that would confirm it)', async () => {
      const response = await gateway.as(tokenB, 'get', `/scim/v2/Users/${userA.id}`).set('If-None-Match', 'W/"0"');
      expect(response.status).toBe(404);
    });
  });

  describe('B cannot read or change A\'s group', () => {
    it.each([
      ['GET', 'get', undefined],
      ['PUT', 'put', { schemas: [GROUP], displayName: 'hijacked' }],
      ['PATCH (add a member)', 'patch', { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: randomUUID() }] }] }],
      ['PATCH (remove all members)', 'patch', { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] }],
      ['DELETE', 'delete', undefined],
    ] as const)('%s /Groups/{A\'s id}: 404 like a never-existing id', async (_label, method, body) => {
      await expectSameAsNeverExisting(method, 'Groups', groupA.id, body);
    });
  });

  describe('B\'s lists, filters and searches never see A\'s resources', () => {
    it.each([
      ['userName eq', `userName eq "${userName}"`],
      ['userName eq, other case', `userName eq "${userName.toUpperCase()}"`],
      ['externalId eq', `externalId eq "${externalId}"`],
      ['id eq', `id eq "${'<user>'}"`],
      ['emails.value', `emails.value eq "${userName}"`],
      ['userName sw', `userName sw "shared.name.${suffix}"`],
    ])('GET /Users?filter=%s: totalResults 0', async (_label, expression) => {
      const response = await b('get', `/Users?${filter(expression.replace('<user>', userA.id))}`);
      expect(response.status).toBe(200);
      expect(json(response)).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it.each([
      ['displayName eq', `displayName eq "${groupName}"`],
      ['members[value eq]', `members[value eq "<user>"]`],
      ['members eq', `members eq "<user>"`],
      ['id eq', `id eq "<group>"`],
    ])('GET /Groups?filter=%s: totalResults 0', async (_label, expression) => {
      const response = await b('get', `/Groups?${filter(expression.replace('<user>', userA.id).replace('<group>', groupA.id))}`);
      expect(response.status).toBe(200);
      expect(json(response)).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it('GET /Users and /Groups without a filter list none of A\'s resources', async () => {
      const users = await b('get', '/Users?count=1000');
      expect(users.status).toBe(200);
      expect(users.text).not.toContain(userA.id);
      expect(users.text).not.toContain(userName);
      const groups = await b('get', '/Groups?count=1000');
      expect(groups.status).toBe(200);
      expect(groups.text).not.toContain(groupA.id);
      expect(groups.text).not.toContain(userA.id);
      expect(json(groups).Resources.map((g: { id: string }) => g.id)).toEqual([groupB.id]);
    });

    it.each([
      ['POST /Users/.search', '/Users/.search', `userName eq "${userName}"`],
      ['POST /Groups/.search', '/Groups/.search', `displayName eq "${groupName}"`],
      ['POST /.search (users)', '/.search', `userName eq "${userName}"`],
      ['POST /.search (groups)', '/.search', `displayName eq "${groupName}"`],
      ['POST /.search (everything)', '/.search', undefined],
    ])('%s: totalResults 0', async (_label, path, expression) => {
      const response = await b('post', path, { schemas: [SEARCH], ...(expression ? { filter: expression } : {}), count: 1000 });
      expect(response.status).toBe(200);
      const body = json(response);
      if (expression) expect(body.totalResults).toBe(0);
      expect(response.text).not.toContain(userA.id);
      expect(response.text).not.toContain(groupA.id);
    });
  });

  describe('uniqueness is per tenant', () => {
    it("B creates a user with A's userName and externalId (201), and each tenant sees only its own", async () => {
      const created = await b('post', '/Users', entraUser(userName, externalId));
      expect(created.status).toBe(201);
      const userB = json(created);
      expect(userB.id).not.toBe(userA.id);

      const inB = json(await b('get', `/Users?${filter(`userName eq "${userName}"`)}`));
      expect(inB.Resources.map((u: { id: string }) => u.id)).toEqual([userB.id]);
      const inA = json(await a('get', `/Users?${filter(`userName eq "${userName}"`)}`));
      expect(inA.Resources.map((u: { id: string }) => u.id)).toEqual([userA.id]);
      // And uniqueness still holds inside B.
      expect((await b('post', '/Users', entraUser(userName.toUpperCase(), 'other'))).status).toBe(409);
    });

    it("B creates a group with A's group displayName (201)", async () => {
      const created = await b('post', '/Groups', { schemas: [GROUP], displayName: groupName });
      expect(created.status).toBe(201);
      expect(json(created).id).not.toBe(groupA.id);
    });
  });

  // A member id that names no user or group of the tenant is skipped or refused, by the tenant's unknown-members
  // policy: another tenant's user id must be answered exactly like a never-existing id, showing nothing of A's user.
  describe("A's user id as a member of B's group", () => {
    it('PATCH add is answered exactly like a never-existing member id', async () => {
      const never = randomUUID();
      const add = (id: string) => b('patch', `/Groups/${groupB.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
      const withA = await add(userA.id);
      const withNever = await add(never);
      expect({ status: withA.status, body: json(withA)?.detail?.replaceAll(userA.id, '<id>') ?? json(withA) }).toEqual({
        status: withNever.status,
        body: json(withNever)?.detail?.replaceAll(never, '<id>') ?? json(withNever),
      });
      // Whatever B's group now holds, it shows nothing of A's user, and A's data is untouched.
      const shown = await b('get', `/Groups/${groupB.id}`);
      expect(shown.text).not.toContain(userName);
      const aGroups = json(await a('get', `/Groups?${filter(`members[value eq "${userA.id}"]`)}`));
      expect(aGroups.Resources.map((g: { id: string }) => g.id)).toEqual([groupA.id]);
    });

    it('PUT of B\'s group with A\'s user id as member is answered like a never-existing member id', async () => {
      const never = randomUUID();
      const put = (id: string) => b('put', `/Groups/${groupB.id}`, { schemas: [GROUP], displayName: `B only ${suffix}`, members: [{ value: id }] });
      const withA = await put(userA.id);
      const withNever = await put(never);
      expect(withA.status).toBe(withNever.status);
      expect(withA.text).not.toContain(userName);
    });
  });

  describe('/Bulk', () => {
    it("answers every operation on A's ids like the same operation on never-existing ids", async () => {
      const operations = (userId: string, groupId: string) => [
        { method: 'PUT', path: `/Users/${userId}`, data: { schemas: [CORE_USER], userName: 'bulk-hijack@contoso.com' } },
        { method: 'PATCH', path: `/Users/${userId}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'PATCH', path: `/Groups/${groupId}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] } },
        { method: 'PUT', path: `/Groups/${groupId}`, data: { schemas: [GROUP], displayName: 'bulk-hijack' } },
        { method: 'DELETE', path: `/Groups/${groupId}` },
        { method: 'DELETE', path: `/Users/${userId}` },
      ];
      const neverUser = randomUUID();
      const neverGroup = randomUUID();
      const onA = await b('post', '/Bulk', { schemas: [BULK], Operations: operations(userA.id, groupA.id) });
      const onNever = await b('post', '/Bulk', { schemas: [BULK], Operations: operations(neverUser, neverGroup) });
      expect(onA.status).toBe(200);
      const normalise = (text: string, userId: string, groupId: string) => JSON.parse(text.replaceAll(userId, '<user>').replaceAll(groupId, '<group>'));
      const resultOnA = normalise(onA.text, userA.id, groupA.id);
      expect(resultOnA).toEqual(normalise(onNever.text, neverUser, neverGroup));
      expect(resultOnA.Operations.map((o: { status: string }) => o.status)).toEqual(['404', '404', '404', '404', '404', '404']);
      expect(onA.text).not.toContain(userName);
    });
  });

  describe('dry-run URLs (/scim/v2/dry-run/...) are isolated the same way', () => {
    const dryRun = (method: Method, path: string, body?: unknown) => gateway.as(tokenB, method, `/scim/v2/dry-run${path}`, body);

    it.each([
      ['GET', 'Users', 'get', undefined],
      ['PUT', 'Users', 'put', { schemas: [CORE_USER], userName: 'hijacked@contoso.com' }],
      ['PATCH', 'Users', 'patch', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }],
      ['DELETE', 'Users', 'delete', undefined],
      ['GET', 'Groups', 'get', undefined],
      ['PATCH', 'Groups', 'patch', { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] }],
      ['DELETE', 'Groups', 'delete', undefined],
    ] as const)("%s /dry-run/%s/{A's id}: 404 like a never-existing id", async (_label, resource, method, body) => {
      const idOfA = resource === 'Users' ? userA.id : groupA.id;
      const never = randomUUID();
      const onA = await dryRun(method, `/${resource}/${idOfA}`, body);
      const onNever = await dryRun(method, `/${resource}/${never}`, body);
      expect(onNever.status).toBe(404);
      expect([onA.status, json(onA).detail.replaceAll(idOfA, '<id>')]).toEqual([onNever.status, json(onNever).detail.replaceAll(never, '<id>')]);
    });

    it("filters in a dry run see none of A's users", async () => {
      const response = await dryRun('get', `/Users?${filter(`externalId eq "${externalId}"`)}`);
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(userA.id);
    });
  });

  describe('discovery works for both tenants', () => {
    it.each(['/ServiceProviderConfig', '/Schemas', '/ResourceTypes', `/Schemas/${CORE_USER}`])('GET %s: 200 for A and for B', async (path) => {
      expect((await a('get', path)).status).toBe(200);
      expect((await b('get', path)).status).toBe(200);
    });
  });

  it("leaves A's user and group exactly as they were", async () => {
    const user = await a('get', `/Users/${userA.id}`);
    expect(user.status).toBe(200);
    // The POST answer had no groups yet: A's user was then put in A's group (and nothing else).
    const { groups, ...unchanged } = json(user) as { groups: { value: string }[] };
    expect(unchanged).toEqual(userA);
    expect(groups.map((g) => g.value)).toEqual([groupA.id]);
    const group = await a('get', `/Groups/${groupA.id}`);
    expect(group.status).toBe(200);
    expect(json(group)).toMatchObject({ id: groupA.id, displayName: groupName, meta: { version: (groupA.meta as { version: string }).version } });
    expect(json(group).members.map((m: { value: string }) => m.value)).toEqual([userA.id]);
  });

  describe('refused tokens (401)', () => {
    const expect401 = async (token: string) => {
      for (const path of ['/Users', `/Users/${userA.id}`, '/Groups', '/ServiceProviderConfig']) {
        const response = await gateway.as(token, 'get', `/scim/v2${path}`);
        expect([path, response.status, response.headers['www-authenticate']]).toEqual([path, 401, expect.stringMatching(/^Bearer/)]);
      }
      const write = await gateway.as(token, 'post', '/scim/v2/Users', { schemas: [CORE_USER], userName: `refused-${randomUUID()}@contoso.com` });
      expect(write.status).toBe(401);
    };

    it("A's SCIM token on the admin API", async () => {
      const server = gateway.app.getHttpServer();
      for (const [method, path] of [
        ['get', '/admin/v1/tenants'],
        ['get', `/admin/v1/tenants/${tenantA}`],
        ['get', `/admin/v1/tenants/${tenantA}/tokens`],
        ['post', `/admin/v1/tenants/${tenantA}/tokens`],
        ['post', `/admin/v1/tenants/${tenantB}/disable`],
      ] as const) {
        const response = await request(server)[method](path).set('Authorization', `Bearer ${tokenA}`);
        expect([method, path, response.status]).toEqual([method, path, 401]);
      }
    });

    it('a revoked token', async () => {
      const issued = json(await gateway.admin('post', `/admin/v1/tenants/${tenantA}/tokens`, { label: 'to revoke' }));
      expect((await gateway.as(issued.token, 'get', '/scim/v2/Users')).status).toBe(200);
      await gateway.admin('post', `/admin/v1/tenants/${tenantA}/tokens/${issued.id}/revoke`);
      await expect401(issued.token);
    });

    it('an expired token', async () => {
      const issued = json(await gateway.admin('post', `/admin/v1/tenants/${tenantA}/tokens`, { expiresAt: new Date(Date.now() + 1_000).toISOString() }));
      expect((await gateway.as(issued.token, 'get', '/scim/v2/Users')).status).toBe(200);
      await sleep(Date.parse(issued.expiresAt) - Date.now() + 50);
      await expect401(issued.token);
    });

    it("a disabled tenant's token, and B keeps working", async () => {
      const disabled = await gateway.admin('post', `/admin/v1/tenants/${tenantA}/disable`);
      expect(disabled.status).toBe(200);
      await expect401(tokenA);
      expect((await b('get', '/Users')).status).toBe(200);
      await gateway.admin('post', `/admin/v1/tenants/${tenantA}/enable`);
      expect((await a('get', `/Users/${userA.id}`)).status).toBe(200);
    });
  });
});

function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['embedded PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}
