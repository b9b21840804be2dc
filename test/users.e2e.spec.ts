import request from 'supertest';
import { CORE_USER, entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { createTestTenant, type TestTenant } from './support/test-tenant.js';

const SCIM_JSON = /application\/scim\+json/;

describe.each(backends())('Users over HTTP on %s', (_name, env) => {
  let gateway: TestGateway;
  // A tenant of its own per run: the fixed userNames below must be free even on a PostgreSQL server that keeps
  // other runs' users.
  let directory: TestTenant;
  beforeAll(async () => {
    gateway = await startTestGateway(env);
    directory = await createTestTenant(gateway, 'users');
  });
  afterAll(async () => {
    await gateway?.close();
  });

  describe('authentication', () => {
    it('answers 401 with a SCIM error when the token is missing', async () => {
      const response = await request(gateway.app.getHttpServer()).get('/scim/v2/Users');
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(SCIM_JSON);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(JSON.parse(response.text)).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '401',
        detail: expect.stringContaining('missing bearer token'),
      });
    });

    it('answers 401 for a wrong token', async () => {
      const response = await request(gateway.app.getHttpServer()).get('/scim/v2/Users').set('Authorization', 'Bearer nope-nope-nope-nope');
      expect(response.status).toBe(401);
      expect(JSON.parse(response.text).detail).toMatch(/not valid/);
    });
  });

  it("answers Entra's Test Connection filter for a missing user with 200 and an empty ListResponse", async () => {
    const response = await directory.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('userName eq "AzureAD_Test-6c1f5e1a"'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(SCIM_JSON);
    expect(JSON.parse(response.text)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('creates a user (201, id, meta, Location, ETag) that a filter finds at once', async () => {
    const created = await directory.scim('post', '/scim/v2/Users', entraUser('Test_User_ab6490ee@contoso.com', '0a21f0f2'));
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toMatch(SCIM_JSON);
    const user = JSON.parse(created.text);
    expect(user).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userName: 'Test_User_ab6490ee@contoso.com',
      externalId: '0a21f0f2',
      active: true,
      meta: { resourceType: 'User', version: 'W/"0"', location: expect.stringContaining(`/scim/v2/Users/`) },
    });
    expect(user.schemas).toContain(CORE_USER);
    expect(created.headers['location']).toBe(user.meta.location);
    expect(created.headers['etag']).toBe('W/"0"');

    // Read-your-writes: no sleep between the POST and the filter.
    const byUserName = await directory.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('userName eq "test_user_AB6490EE@contoso.com"'));
    expect(JSON.parse(byUserName.text)).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
    const byExternalId = await directory.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('externalId eq "0a21f0f2"'));
    expect(JSON.parse(byExternalId.text)).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
    const byId = await directory.scim('get', `/scim/v2/Users/${user.id}`);
    expect(byId.status).toBe(200);
    expect(JSON.parse(byId.text)).toEqual(user);
  });

  it('gives exactly one 201 and one 409 uniqueness to concurrent creates of "Ann" and "ANN"', async () => {
    const suffix = Date.now();
    const responses = await Promise.all([
      directory.scim('post', '/scim/v2/Users', { schemas: [CORE_USER], userName: `Ann${suffix}` }),
      directory.scim('post', '/scim/v2/Users', { schemas: [CORE_USER], userName: `ANN${suffix}` }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
    const conflict = JSON.parse(responses.find((r) => r.status === 409)!.text);
    expect(conflict).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.stringMatching(/userName/) });
    const found = await directory.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent(`userName eq "ann${suffix}"`));
    expect(JSON.parse(found.text).totalResults).toBe(1);
  });

  it('accepts a second user with the same externalId (201): RFC 7643 §3.1, "the service provider does not enforce uniqueness"', async () => {
    const first = await directory.scim('post', '/scim/v2/Users', entraUser('first@contoso.com', 'shared-ext'));
    const second = await directory.scim('post', '/scim/v2/Users', entraUser('second@contoso.com', 'shared-ext'));
    expect([first.status, second.status]).toEqual([201, 201]);
    const found = await directory.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('externalId eq "shared-ext"'));
    expect(JSON.parse(found.text).totalResults).toBe(2);
  });

  it('deletes a user (204), then 404 on GET and DELETE, and frees its userName', async () => {
    const user = JSON.parse((await directory.scim('post', '/scim/v2/Users', entraUser('leaver@contoso.com'))).text);
    expect((await directory.scim('delete', `/scim/v2/Users/${user.id}`)).status).toBe(204);
    const afterDelete = await directory.scim('get', `/scim/v2/Users/${user.id}`);
    expect(afterDelete.status).toBe(404);
    expect(JSON.parse(afterDelete.text)).toMatchObject({ status: '404', detail: expect.stringContaining(user.id) });
    expect((await directory.scim('delete', `/scim/v2/Users/${user.id}`)).status).toBe(404);
    const filter = await directory.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('userName eq "leaver@contoso.com"'));
    expect(JSON.parse(filter.text).totalResults).toBe(0);
    expect((await directory.scim('post', '/scim/v2/Users', entraUser('leaver@contoso.com'))).status).toBe(201);
  });

  it('answers 412 to a DELETE whose If-Match is stale, and keeps the user', async () => {
    const user = JSON.parse((await directory.scim('post', '/scim/v2/Users', entraUser('guarded@contoso.com'))).text);
    const stale = await directory.scim('delete', `/scim/v2/Users/${user.id}`).set('If-Match', 'W/"7"');
    expect(stale.status).toBe(412);
    expect((await directory.scim('get', `/scim/v2/Users/${user.id}`)).status).toBe(200);
    expect((await directory.scim('delete', `/scim/v2/Users/${user.id}`).set('If-Match', 'W/"0"')).status).toBe(204);
  });

  it('answers 404 for a user id that does not exist, including one that is not a UUID', async () => {
    expect((await directory.scim('get', '/scim/v2/Users/2819c223-7f76-453a-919d-413861904646')).status).toBe(404);
    expect((await directory.scim('get', '/scim/v2/Users/not-a-uuid')).status).toBe(404);
  });

  describe('bad input', () => {
    it('answers malformed JSON with 400 invalidSyntax, not 500', async () => {
      const response = await gateway
        .scim('post', '/scim/v2/Users')
        .set('Content-Type', 'application/scim+json')
        .send('{"userName": "broken"');
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(SCIM_JSON);
      expect(JSON.parse(response.text)).toMatchObject({ status: '400', scimType: 'invalidSyntax', detail: expect.stringMatching(/JSON/) });
    });

    it('answers a body that is not an object with 400', async () => {
      const response = await directory.scim('post', '/scim/v2/Users', ['not', 'a', 'user']);
      expect(response.status).toBe(400);
    });

    it('answers a user without userName with 400 invalidValue naming it', async () => {
      const response = await directory.scim('post', '/scim/v2/Users', { schemas: [CORE_USER], active: true });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/userName/) });
    });

    it('answers an unparseable filter with 400 invalidFilter', async () => {
      const response = await directory.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('userName xx "a"'));
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ scimType: 'invalidFilter' });
    });

    it('answers an unknown SCIM path with a SCIM 404', async () => {
      const response = await directory.scim('get', '/scim/v2/Nothing');
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(SCIM_JSON);
    });

    it('answers a body over the size limit with 413', async () => {
      const huge = { schemas: [CORE_USER], userName: 'big', nickName: 'x'.repeat(gateway.config.maxBodyBytes + 10) };
      const response = await directory.scim('post', '/scim/v2/Users', huge);
      expect(response.status).toBe(413);
    });
  });

  describe('health', () => {
    it('answers /health without a token, naming the Node.js version it runs on', async () => {
      const response = await request(gateway.app.getHttpServer()).get('/health');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', node: process.versions.node });
    });

    it('answers /ready with the store up and the projection caught up', async () => {
      const response = await request(gateway.app.getHttpServer()).get('/ready');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ready', checks: { eventStore: { status: 'up' }, readModel: { caughtUp: true } } });
    });
  });
});

/** PGlite always; the PostgreSQL server too when DATABASE_URL is set (CI). */
function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['embedded PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}
