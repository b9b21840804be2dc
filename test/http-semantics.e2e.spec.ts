import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ERROR_SCHEMA } from '#scim/scim-error.js';
import { gatewayBackends, startTestGateway, type TestGateway } from './support/test-gateway.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];
const SCIM_JSON = /application\/scim\+json/;
const MISSING = randomUUID();

/**
 * A path of every route the controllers declare (and the dry-run twins of some), with the methods served there. The
 * `Allow` of a 405 must list exactly these (RFC 9110 §10.2.1; HEAD comes with GET), and each must reach its route.
 */
const SERVED: readonly [path: string, allow: string][] = [
  ['/scim/v2/ServiceProviderConfig', 'GET, HEAD'],
  ['/scim/v2/Schemas', 'GET, HEAD'],
  [`/scim/v2/Schemas/urn:${MISSING}`, 'GET, HEAD'],
  ['/scim/v2/ResourceTypes', 'GET, HEAD'],
  ['/scim/v2/ResourceTypes/User', 'GET, HEAD'],
  ['/scim/v2/Users', 'GET, HEAD, POST'],
  ['/scim/v2/Users/.search', 'POST'],
  [`/scim/v2/Users/${MISSING}`, 'GET, HEAD, PUT, PATCH, DELETE'],
  ['/scim/v2/Groups', 'GET, HEAD, POST'],
  ['/scim/v2/Groups/.search', 'POST'],
  [`/scim/v2/Groups/${MISSING}`, 'GET, HEAD, PUT, PATCH, DELETE'],
  ['/scim/v2/.search', 'POST'],
  ['/scim/v2/Bulk', 'POST'],
  ['/scim/v2/dry-run/ServiceProviderConfig', 'GET, HEAD'],
  [`/scim/v2/dry-run/Users/${MISSING}`, 'GET, HEAD, PUT, PATCH, DELETE'],
  ['/scim/v2/dry-run/Groups', 'GET, HEAD, POST'],
  ['/admin/v1/tenants', 'GET, HEAD, POST'],
  ['/admin/v1/tenants/nobody', 'GET, HEAD'],
  ['/admin/v1/tenants/nobody/disable', 'POST'],
  ['/admin/v1/tenants/nobody/tokens', 'GET, HEAD, POST'],
  ['/admin/v1/tenants/nobody/tokens/t1/revoke', 'POST'],
  ['/admin/v1/tenants/nobody/schemas', 'GET, HEAD, PUT'],
  ['/admin/v1/tenants/nobody/verify', 'GET, HEAD, POST'],
  ['/admin/v1/tenants/nobody/enable', 'POST'],
  ['/admin/v1/tenants/nobody/tokens/t1/rotate', 'POST'],
  [`/admin/v1/tenants/nobody/schemas/User/urn:${MISSING}`, 'DELETE'],
  [`/admin/v1/tenants/nobody/history/Users/${MISSING}`, 'GET, HEAD'],
  [`/admin/v1/tenants/nobody/resources/Users/${MISSING}`, 'GET, HEAD'],
  ['/admin/v1/tenants/nobody/export', 'GET, HEAD'],
  ['/admin/v1/tenants/nobody/provisioning-log', 'GET, HEAD'],
  ['/admin/v1/provisioning-log/unauthenticated', 'GET, HEAD'],
  ['/admin/v1/admin-tokens', 'GET, HEAD, POST'],
  ['/admin/v1/admin-tokens/a1/revoke', 'POST'],
  ['/admin/v1/tenants/nobody/settings', 'GET, HEAD, PATCH'],
  ['/limits', 'GET, HEAD'],
  ['/health', 'GET, HEAD'],
  ['/ready', 'GET, HEAD'],
  ['/metrics', 'GET, HEAD'],
];

describe.each(gatewayBackends())('HTTP semantics on %s (RFC 7644 §3.12, RFC 9110 §15.5)', (_name, env) => {
  let gateway: TestGateway;
  const json = (response: { text: string }) => JSON.parse(response.text) as Record<string, unknown>;
  const send = (method: Method, path: string) => (path.startsWith('/admin/') ? gateway.admin(method, path, {}) : gateway.scim(method, path, {}));

  beforeAll(async () => {
    gateway = await startTestGateway(env);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it.each([
    ['post', '/scim/v2/ServiceProviderConfig', 'GET, HEAD'],
    ['delete', '/scim/v2/Schemas', 'GET, HEAD'],
    ['post', `/scim/v2/Users/${MISSING}`, 'GET, HEAD, PUT, PATCH, DELETE'],
    ['put', '/scim/v2/Users', 'GET, HEAD, POST'],
    ['get', '/scim/v2/Bulk', 'POST'],
  ] as const)('%s %s answers 405 with Allow %s and a SCIM error naming both', async (method, path, allow) => {
    const response = await gateway.scim(method, path, {});
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers['content-type']).toMatch(SCIM_JSON);
    expect(json(response)).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '405',
      detail: `${method.toUpperCase()} is not supported on ${path}; it allows ${allow}`,
    });
  });

  it('answers 405 under the dry-run prefix too, naming the path the client sent', async () => {
    const response = await gateway.scim('post', '/scim/v2/dry-run/ServiceProviderConfig', {});
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.headers['x-scim-dry-run']).toBe('true');
    expect(json(response).detail).toBe('POST is not supported on /scim/v2/dry-run/ServiceProviderConfig; it allows GET, HEAD');
  });

  it('answers 405 on the admin API in the same error form', async () => {
    const response = await gateway.admin('delete', '/admin/v1/tenants');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, POST');
    expect(json(response)).toEqual({ schemas: [ERROR_SCHEMA], status: '405', detail: 'DELETE is not supported on /admin/v1/tenants; it allows GET, HEAD, POST' });
  });

  it('lists in Allow exactly the methods that reach a route, on every path it serves', async () => {
    const observed: string[] = [];
    const expected: string[] = [];
    for (const [path, allow] of SERVED) {
      for (const method of METHODS) {
        const response = await send(method, path);
        const reachedRoute = response.status !== 405 && !/no such endpoint/.test(response.text);
        observed.push(`${method} ${path}: ${reachedRoute ? 'reaches its route' : `${response.status} Allow ${response.headers.allow}`}`);
        // A method the path serves reaches its route (whatever that route then answers); any other is a 405.
        expected.push(`${method} ${path}: ${allow.split(', ').includes(method.toUpperCase()) ? 'reaches its route' : `405 Allow ${allow}`}`);
      }
    }
    expect(observed).toEqual(expected);
  });

  it('answers HEAD where GET is served and 405 where it is not', async () => {
    const server = gateway.app.getHttpServer();
    const head = (path: string) => request(server).head(path).set('Authorization', `Bearer ${gateway.config.scimBearerToken}`);
    expect((await head('/scim/v2/ServiceProviderConfig')).status).toBe(200);
    const bulk = await head('/scim/v2/Bulk');
    expect(bulk.status).toBe(405);
    expect(bulk.headers.allow).toBe('POST');
  });

  it.each([
    ['/scim/v2/Nothing'],
    ['/scim/v2/Users/a/b'],
    ['/scim/v2/dry-run/Nothing'],
    ['/admin/v1/nothing'],
    ['/elsewhere'],
  ])('answers 404 "no such endpoint" without Allow for the unknown path %s', async (path) => {
    const response = await send('post', path);
    expect(response.status).toBe(404);
    expect(response.headers.allow).toBeUndefined();
    expect(json(response)).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: `no such endpoint: POST ${path}` });
  });

  it('answers 404 for a missing resource on a served path, naming the resource', async () => {
    const response = await gateway.scim('get', `/scim/v2/Users/${MISSING}`);
    expect(response.status).toBe(404);
    expect(response.headers.allow).toBeUndefined();
    expect(json(response).detail).toContain(MISSING);
  });

  it.each(METHODS)('answers %s /Me with 501: a SCIM feature this gateway does not implement (RFC 7644 §3.11)', async (method) => {
    const response = await gateway.scim(method, '/scim/v2/Me', {});
    expect(response.status).toBe(501);
    expect(json(response)).toEqual({ schemas: [ERROR_SCHEMA], status: '501', detail: expect.stringContaining('/Me is not supported') });
  });
});
