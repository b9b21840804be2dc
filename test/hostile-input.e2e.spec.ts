import { connect } from 'node:net';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * Issue 12 "every malformed input is a 4xx SCIM error, never a 5xx" and the input limits (docs/operations.md
 * "Limits"): each hostile request gets its 4xx with the right scimType, and stores nothing. The suite works in a
 * tenant of its own, so counts are exact on a PostgreSQL server other suites share.
 */
describe.each(backends())('hostile input (%s)', (_backend, env) => {
  let gateway: TestGateway;
  let token: string;
  const tenant = `hostile-${Math.random().toString(36).slice(2, 10)}`;
  const json = (response: { text: string }) => JSON.parse(response.text);
  const scim = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown) => gateway.as(token, method, path, body);
  /** A request whose body is sent as written (nesting JSON.stringify would overflow on, escapes as a client writes them). */
  const scimRaw = (method: 'post' | 'put' | 'patch', path: string, text: string) =>
    gateway.as(token, method, path).set('Content-Type', 'application/scim+json').send(text);
  const userCount = async () => json(await scim('get', '/scim/v2/Users?count=0').expect(200)).totalResults as number;
  const groupCount = async () => json(await scim('get', '/scim/v2/Groups?count=0').expect(200)).totalResults as number;

  /** A proper SCIM error (RFC 7644 §3.12): the status as a string, the scimType, a detail. */
  function expectScimError(response: { status: number; text: string; headers: Record<string, string> }, status: number, scimType?: string, detail?: RegExp) {
    expect({ status: response.status, text: response.text }).toMatchObject({ status });
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
    const body = json(response);
    expect(body).toMatchObject({ schemas: [ERROR], status: String(status) });
    expect(body.scimType).toBe(scimType);
    expect(typeof body.detail).toBe('string');
    if (detail) expect(body.detail).toMatch(detail);
  }

  let userId: string;
  let groupId: string;
  beforeAll(async () => {
    gateway = await startTestGateway(env);
    await gateway.admin('post', '/admin/v1/tenants', { id: tenant }).expect(201);
    token = json(await gateway.admin('post', `/admin/v1/tenants/${tenant}/tokens`, {}).expect(201)).token;
    userId = json(await scim('post', '/scim/v2/Users', entraUser('victim@contoso.com')).expect(201)).id;
    groupId = json(await scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'Victims' }).expect(201)).id;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  describe('filters are bounded while they are parsed (400 invalidFilter, never a stack overflow)', () => {
    const tenThousandTerms = Array.from({ length: 10_000 }, (_, i) => `userName eq "${i}"`).join(' or ');
    const cases: [string, string, RegExp][] = [
      ['3,000 nested parentheses', `${'('.repeat(3000)}userName eq "a"${')'.repeat(3000)}`, /6015 characters long; at most 4096/],
      ['1,000 nested not (', `${'not ('.repeat(1000)}userName eq "a"${')'.repeat(1000)}`, /characters long; at most 4096/],
      ['a filter longer than 4,096 characters', `userName eq "${'a'.repeat(4100)}"`, /at most 4096/],
      ['51 comparison terms', Array.from({ length: 51 }, (_, i) => `userName eq "${i}"`).join(' or '), /51 comparisons.*at most 50/],
      ['17 levels of parentheses', `${'('.repeat(17)}userName pr${')'.repeat(17)}`, /nested 17 deep.*at most 16/],
      ['17 levels of not (', `${'not ('.repeat(17)}userName pr${')'.repeat(17)}`, /nested 17 deep.*at most 16/],
      ['more than 20 distinct attribute paths', Array.from({ length: 21 }, (_, i) => `x${i} pr`).join(' or '), /21 attribute paths.*at most 20/],
      ['a NUL character in a value', 'userName eq "a\\u0000b"', /U\+0000/],
      ['a lone surrogate in a value', 'userName eq "x\\ud800"', /surrogate/],
    ];
    it.each(cases)('GET ?filter= with %s', async (_name, filter, detail) => {
      expectScimError(await scim('get', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter', detail);
    });
    it.each(cases)('POST /.search with %s', async (_name, filter, detail) => {
      expectScimError(await scim('post', '/scim/v2/Users/.search', { schemas: [SEARCH], filter }), 400, 'invalidFilter', detail);
    });
    it('10,000 or terms: 431 in a URL (over 16 KB), 400 in a .search body (a string over 16,384 characters)', async () => {
      expect((await scim('get', `/scim/v2/Users?filter=${encodeURIComponent(tenThousandTerms)}`)).status).toBe(431);
      expectScimError(await scim('post', '/scim/v2/Users/.search', { schemas: [SEARCH], filter: tenThousandTerms }), 400, 'invalidValue', /filter.*at most 16384/);
      const underTheStringLimit = Array.from({ length: 1000 }, (_, i) => `a eq ${i}`).join(' or ');
      expectScimError(await scim('post', '/scim/v2/Users/.search', { schemas: [SEARCH], filter: underTheStringLimit }), 400, 'invalidFilter', /at most 4096/);
    });
    it('still admits the filters Entra and Okta send', async () => {
      const filters = [
        'userName eq "victim@contoso.com"',
        'externalId eq "ext-victim@contoso.com"',
        'emails[type eq "work"].value eq "victim@contoso.com"',
        'displayName eq "Victims" and groups[value eq "x"]',
        'meta.lastModified gt "2011-05-13T04:42:34Z" and not (active eq false)',
      ];
      for (const filter of filters) expect((await scim('get', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`)).status).toBe(200);
    });
    it('a PATCH path holds its value filter to the same limits (400 invalidPath)', async () => {
      const path = `emails[${Array.from({ length: 51 }, (_, i) => `value eq "${i}"`).join(' or ')}].value`;
      const response = await scim('patch', `/scim/v2/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path }] });
      expectScimError(response, 400, 'invalidPath', /at most 50/);
      const deep = `emails[${'not ('.repeat(1000)}value pr${')'.repeat(1000)}]`;
      expectScimError(await scim('patch', `/scim/v2/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: deep }] }), 400, 'invalidPath');
    });
  });

  describe('attribute lists, PATCH operations, JSON depth and string lengths have limits', () => {
    it('attributes with more than 100 entries is 400 invalidValue', async () => {
      const attributes = Array.from({ length: 101 }, (_, i) => `name${i}`).join(',');
      expectScimError(await scim('get', `/scim/v2/Users?attributes=${attributes}`), 400, 'invalidValue', /101 entries.*at most 100/);
      expectScimError(await scim('post', '/scim/v2/Users/.search', { schemas: [SEARCH], excludedAttributes: attributes.split(',') }), 400, 'invalidValue', /excludedAttributes/);
    });
    it('more PATCH operations than allowed is 400 invalidValue, and nothing changes', async () => {
      const Operations = Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'displayName', value: 'changed' }));
      expectScimError(await scim('patch', `/scim/v2/Users/${userId}`, { schemas: [PATCH_OP], Operations }), 400, 'invalidValue', /1001 operations.*at most 1000/);
      expect(json(await scim('get', `/scim/v2/Users/${userId}`)).meta.version).toBe('W/"0"');
    });
    it('a PATCH value nested 3,000 deep is 400 invalidSyntax (JSON depth), on every route with a body', async () => {
      const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
      const patch = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"displayName","value":${deep}}]}`;
      expectScimError(await scimRaw('patch', `/scim/v2/Users/${userId}`, patch), 400, 'invalidSyntax', /nested.*at most 32/);
      expectScimError(await scimRaw('post', '/scim/v2/Users/.search', `{"schemas":["${SEARCH}"],"x":${deep}}`), 400, 'invalidSyntax', /at most 32/);
      expectScimError(await scimRaw('post', '/scim/v2/Bulk', `{"schemas":["${BULK}"],"Operations":[${deep}]}`), 400, 'invalidSyntax', /at most 32/);
      const admin = await gateway.admin('post', '/admin/v1/tenants').set('Content-Type', 'application/json').send(`{"id":${deep}}`);
      expectScimError(admin, 400, 'invalidSyntax', /at most 32/);
    });
    it('a string longer than 16,384 characters anywhere in a body is 400 invalidValue', async () => {
      const user = { ...entraUser('long-title@contoso.com'), title: 'x'.repeat(16_385) };
      expectScimError(await scim('post', '/scim/v2/Users', user), 400, 'invalidValue', /title.*16384/);
    });
    it.each(['userName', 'externalId', 'displayName'])('a %s of 2,000 characters is 400 invalidValue naming the limit (it is indexed)', async (attribute) => {
      const before = await userCount();
      const user = { ...entraUser(`long-${attribute}@contoso.com`), [attribute]: `${'a'.repeat(2000)}@contoso.com` };
      expectScimError(await scim('post', '/scim/v2/Users', user), 400, 'invalidValue', new RegExp(`${attribute}.*at most 768 bytes`));
      expectScimError(await scim('post', '/scim/v2/dry-run/Users', user), 400, 'invalidValue');
      expect(await userCount()).toBe(before);
    });
    it('the same limit holds for PATCH, PUT and Bulk, live and dry-run', async () => {
      const long = `${'a'.repeat(2000)}@contoso.com`;
      const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: long }] };
      expectScimError(await scim('patch', `/scim/v2/Users/${userId}`, patch), 400, 'invalidValue', /userName.*at most 768 bytes/);
      expectScimError(await scim('patch', `/scim/v2/dry-run/Users/${userId}`, patch), 400, 'invalidValue', /userName.*at most 768 bytes/);
      const pathless = { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { emails: [{ value: long, type: 'home' }] } }] };
      expectScimError(await scim('patch', `/scim/v2/Users/${userId}`, pathless), 400, 'invalidValue', /emails\[1\]\.value.*768/);
      expectScimError(await scim('put', `/scim/v2/Users/${userId}`, { ...entraUser('victim@contoso.com'), externalId: long }), 400, 'invalidValue', /externalId/);
      const groupPatch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: '中'.repeat(300) }] };
      expectScimError(await scim('patch', `/scim/v2/Groups/${groupId}`, groupPatch), 400, 'invalidValue', /displayName.*768/);
      const bulk = await scim('post', '/scim/v2/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', bulkId: 'long', data: entraUser(long) }] });
      expect(bulk.status).toBe(200);
      expect(json(bulk).Operations[0]).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
      expect(json(await scim('get', `/scim/v2/Users/${userId}`)).meta.version).toBe('W/"0"');
    });
    it('a group displayName of 2,000 multi-byte characters is 400 invalidValue', async () => {
      const before = await groupCount();
      expectScimError(await scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: '中'.repeat(300) }), 400, 'invalidValue', /displayName.*768 bytes/);
      expect(await groupCount()).toBe(before);
    });
  });

  describe('NUL characters and lone surrogates are refused at the edge (400 invalidValue), live and dry-run alike', () => {
    const nulUser = () => JSON.stringify(entraUser('a\u0000b@contoso.com'));
    const surrogateUser = () => JSON.stringify(entraUser('x@contoso.com')).replace('"userName":"x@contoso.com"', '"userName":"x\\ud800"');
    it.each([
      ['NUL in userName', nulUser, /U\+0000/],
      ['a lone surrogate in userName', surrogateUser, /userName.*surrogate/],
      ['NUL in an attribute name', () => JSON.stringify({ ...entraUser('key@contoso.com'), 'nick\u0000Name': 'x' }), /U\+0000/],
    ])('POST /Users with %s', async (_name, body, detail) => {
      const before = await userCount();
      expectScimError(await scimRaw('post', '/scim/v2/Users', body()), 400, 'invalidValue', detail);
      expectScimError(await scimRaw('post', '/scim/v2/dry-run/Users', body()), 400, 'invalidValue', detail);
      expect(await userCount()).toBe(before);
    });
    it('in a PATCH value, a Bulk operation, a path id, a query parameter, a header and an admin body', async () => {
      const patch = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"displayName","value":"x\\ud800"}]}`;
      expectScimError(await scimRaw('patch', `/scim/v2/Users/${userId}`, patch), 400, 'invalidValue', /Operations\[0\]\.value/);
      const bulk = `{"schemas":["${BULK}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":${nulUser()}}]}`;
      expectScimError(await scimRaw('post', '/scim/v2/Bulk', bulk), 400, 'invalidValue');
      expectScimError(await scim('get', '/scim/v2/Users/a%00b'), 400, 'invalidValue', /path/);
      expectScimError(await scim('get', '/scim/v2/Users/a%ED%A0%80b'), 400, 'invalidValue', /path/);
      expectScimError(await scim('get', '/scim/v2/Users?sortBy=user%00Name'), 400, 'invalidValue', /sortBy/);
      expectScimError(await scim('get', '/scim/v2/Users?filter=userName%20eq%20%22a%00b%22'), 400, 'invalidValue', /filter/);
      const admin = await gateway.admin('post', '/admin/v1/tenants').set('Content-Type', 'application/json').send('{"id":"x","displayName":"a\\ud800"}');
      expectScimError(admin, 400, 'invalidValue', /displayName/);
      expectScimError(await gateway.admin('get', '/admin/v1/tenants/a%00b'), 400, 'invalidValue', /URL path/);
      expect(json(await scim('get', `/scim/v2/Users/${userId}`)).meta.version).toBe('W/"0"');
    });
  });

  describe('null for an optional member is absent', () => {
    it('a SearchRequest with "filter", "sortBy", "attributes" ... null answers 200', async () => {
      const response = await scim('post', '/scim/v2/Users/.search', {
        schemas: [SEARCH],
        filter: null,
        sortBy: null,
        sortOrder: null,
        attributes: null,
        excludedAttributes: null,
        startIndex: null,
        count: null,
      });
      expect(response.status).toBe(200);
      expect(json(response).totalResults).toBe(await userCount());
    });
    it('a Bulk operation with "version": null runs as if it had no version', async () => {
      const response = await scim('post', '/scim/v2/Bulk', {
        schemas: [BULK],
        failOnErrors: null,
        Operations: [{ method: 'PATCH', path: `/Groups/${groupId}`, version: null, bulkId: null, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Victims 2' }] } }],
      });
      expect(response.status).toBe(200);
      expect(json(response).Operations[0].status).toBe('204');
    });
  });

  describe('prototype-shaped keys are plain data', () => {
    it.each(['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty'])('PATCH add {"%s": "x"} is 400, not 500', async (key) => {
      const patch = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"${key}":"x"}}]}`;
      expectScimError(await scimRaw('patch', `/scim/v2/Users/${userId}`, patch), 400, 'invalidPath', new RegExp(key));
      const withPath = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"${key}","value":"x"}]}`;
      expect((await scimRaw('patch', `/scim/v2/Users/${userId}`, withPath)).status).toBe(400);
      const post = JSON.stringify(entraUser(`proto-${key}@contoso.com`)).replace(/}$/, `,"${key}":{"a":1}}`);
      expectScimError(await scimRaw('post', '/scim/v2/Users', post), 400, 'invalidSyntax', new RegExp(key));
      const name = JSON.stringify(entraUser(`proto-name-${key}@contoso.com`)).replace('"name":{', `"name":{"${key}":"x",`);
      expectScimError(await scimRaw('post', '/scim/v2/Users', name), 400, 'invalidSyntax', new RegExp(key));
      for (const filter of [`${key} pr`, `name.${key} eq "x"`, `emails[${key} eq "x"]`]) {
        expectScimError(await scim('get', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter', new RegExp(key));
      }
      // An unknown name in attributes is ignored (RFC 7644 §3.9 names what to return); one that is no ATTRNAME
      // (`__proto__` starts with "_", RFC 7643 §2.1) is invalidPath. sortBy must name an attribute.
      const projected = await scim('get', `/scim/v2/Users?attributes=${key}`);
      if (key === '__proto__') expectScimError(projected, 400, 'invalidPath', new RegExp(key));
      else expect(projected.status).toBe(200);
      expectScimError(await scim('get', `/scim/v2/Users?sortBy=${key}`), 400, 'invalidValue', new RegExp(key));
      expect(json(await scim('get', `/scim/v2/Users/${userId}`)).meta.version).toBe('W/"0"');
    });
    it.each(['__proto__', 'constructor'])('a pathless group PATCH {"%s": {...}} is refused, and the group is unchanged', async (key) => {
      const before = json(await scim('get', `/scim/v2/Groups/${groupId}`)).meta.version;
      const patch = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","value":{"${key}":{"displayName":"Polluted"}}}]}`;
      expectScimError(await scimRaw('patch', `/scim/v2/Groups/${groupId}`, patch), 400, 'invalidPath', new RegExp(key));
      expect(json(await scim('get', `/scim/v2/Groups/${groupId}`)).meta.version).toBe(before);
    });
  });

  describe('limits the HTTP server enforces answer as SCIM errors', () => {
    it('a URL over 16 KB is 431 with a SCIM error body', async () => {
      const response = await rawHttp(await gateway.listen(), `GET /scim/v2/Users?filter=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(response).toMatch(/^HTTP\/1\.1 431 /);
      expect(bodyOf(response)).toMatchObject({ schemas: [ERROR], status: '431' });
    });
    it('Content-Length over MAX_BODY_BYTES is 413 at once, before any body arrives', async () => {
      const response = await rawHttp(
        await gateway.listen(),
        `POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nContent-Length: 2000000\r\n\r\n`,
      );
      expect(response).toMatch(/^HTTP\/1\.1 413 /);
      expect(bodyOf(response)).toMatchObject({ schemas: [ERROR], status: '413', detail: expect.stringMatching(/1048576/) });
    });
    it('a malformed request line is 400 with a SCIM error body', async () => {
      const response = await rawHttp(await gateway.listen(), 'GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Bad\u0000: y\r\n\r\n');
      expect(response).toMatch(/^HTTP\/1\.1 400 /);
      expect(bodyOf(response)).toMatchObject({ schemas: [ERROR], status: '400' });
    });
  });
});

/** Sends raw bytes and resolves with everything the server answers before it closes (or 5 s pass). */
function rawHttp(baseUrl: string, text: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, 5_000);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (/\r\n\r\n/.test(received) && completeBody(received)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (received) resolve(received);
      else reject(error);
    });
    socket.write(text);
  });
}

function completeBody(response: string): boolean {
  const length = /\r\ncontent-length: *(\d+)/i.exec(response);
  return length !== null && Buffer.byteLength(response.slice(response.indexOf('\r\n\r\n') + 4)) >= Number(length[1]);
}

function bodyOf(response: string): unknown {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

/** PGlite always; the PostgreSQL server too when DATABASE_URL is set (CI). */
function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['embedded PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}


