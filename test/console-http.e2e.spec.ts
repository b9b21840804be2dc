import request from 'supertest';
import { startTestGateway, TEST_ADMIN_TOKEN, TEST_TOKEN, type TestGateway } from './support/test-gateway.js';

/** The console's HTTP side without a browser: sign-in answers, cookie attributes, assets, and CONSOLE_ENABLED=false. */
describe('console over HTTP', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ PUBLIC_BASE_URL: 'https://scim.example.com' });
  });
  afterAll(async () => {
    await gateway?.close();
  });
  const server = () => gateway.app.getHttpServer();
  const signIn = (body: unknown, headers: Record<string, string> = {}) =>
    request(server()).post('/admin/v1/session').set({ 'Content-Type': 'application/json', ...headers }).send(JSON.stringify(body));

  it('answers every wrong sign-in with a SCIM error a person can act on', async () => {
    const missing = await signIn({}).set('X-Forwarded-For', '198.51.100.1').expect(400);
    expect(missing.body).toMatchObject({ scimType: 'invalidValue' });
    expect(missing.body.detail).toContain('{"token"');
    const scimToken = await signIn({ token: TEST_TOKEN }).set('X-Forwarded-For', '198.51.100.1').expect(401);
    expect(scimToken.body.detail).toContain('SCIM token does not open the console');
    await signIn({ token: 'x'.repeat(10_000) }).set('X-Forwarded-For', '198.51.100.1').expect(401);
    await signIn({ token: 'x'.repeat(100_000) }).set('X-Forwarded-For', '198.51.100.1').expect(400); // JSON_MAX_STRING_LENGTH
    const crossSite = await signIn({ token: TEST_ADMIN_TOKEN }, { Origin: 'https://evil.example' }).expect(403);
    expect(crossSite.body.detail).toContain('another origin');
    // A form post from another site cannot send JSON: no token arrives.
    await request(server()).post('/admin/v1/session').set('Content-Type', 'application/x-www-form-urlencoded').send(`token=${TEST_ADMIN_TOKEN}`).expect(400);
  });

  it('limits sign-in attempts per address: the eleventh in a burst is 429 with Retry-After', async () => {
    const from = { 'X-Forwarded-For': '203.0.113.9' };
    for (let i = 0; i < 10; i += 1) await signIn({ token: 'wrong-token-0123456789' }, from).expect(401);
    const limited = await signIn({ token: TEST_ADMIN_TOKEN }, from).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another address is not affected.
    await signIn({ token: TEST_ADMIN_TOKEN }, { 'X-Forwarded-For': '203.0.113.10' }).expect(201);
  });

  it('sets a __Host- Secure cookie when the public URL is HTTPS, and the session answers with its CSRF token, never the admin token', async () => {
    const answer = await signIn({ token: TEST_ADMIN_TOKEN }, { 'X-Forwarded-For': '192.0.2.7' }).expect(201);
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-scim-console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(answer.body)).not.toContain(TEST_ADMIN_TOKEN);
    const sessionCookie = cookie.split(';')[0];
    const session = await request(server()).get('/admin/v1/session').set('Cookie', sessionCookie).expect(200);
    expect(session.body).toEqual({ adminTokenId: expect.any(String), adminTokenLabel: 'ADMIN_TOKEN', csrfToken: answer.body.csrfToken, expiresAt: expect.any(String) });
    // The bearer route has no session to show.
    await gateway.admin('get', '/admin/v1/session').expect(401);
    // Sign-out needs the CSRF token like every change.
    await request(server()).delete('/admin/v1/session').set('Cookie', sessionCookie).expect(403);
    await request(server()).delete('/admin/v1/session').set({ Cookie: sessionCookie, 'X-CSRF-Token': answer.body.csrfToken }).expect(204);
    await request(server()).get('/admin/v1/tenants').set('Cookie', sessionCookie).expect(401);
  });

  it('serves the shell with the CSP at every console path, assets with revalidation, and 404 for a file that is not there', async () => {
    for (const path of ['/console', '/console/', '/console/tenants/default/log']) {
      const page = await request(server()).get(path).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('<script type="module" src="/console/assets/main.js"></script>');
    }
    const main = await request(server()).get('/console/assets/main.js').expect(200);
    expect(main.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(main.headers['cache-control']).toBe('no-cache');
    await request(server()).get('/console/assets/main.js').set('If-None-Match', main.headers['etag']).expect(304);
    const css = await request(server()).get('/console/assets/console.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const path of ['/console/assets/nothing.js', '/console/assets/../../package.json', '/console/assets/%2e%2e/%2e%2e/package.json']) {
      const missing = await request(server()).get(path);
      expect([404]).toContain(missing.status);
    }
    await request(server()).post('/console').expect(405);
  });
});

describe('console turned off (CONSOLE_ENABLED=false)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ CONSOLE_ENABLED: 'false' });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 404 for the console and its sign-in, and a cookie opens nothing; bearer tokens still work', async () => {
    const server = gateway.app.getHttpServer();
    await request(server).get('/console').expect(404);
    await request(server).get('/console/assets/main.js').expect(404);
    await request(server).post('/admin/v1/session').set('Content-Type', 'application/json').send(JSON.stringify({ token: TEST_ADMIN_TOKEN })).expect(404);
    const withCookie = await request(server).get('/admin/v1/tenants').set('Cookie', `scim-console=${'A'.repeat(43)}`).expect(401);
    expect(withCookie.body.detail).toContain('missing admin token');
    await gateway.admin('get', '/admin/v1/tenants').expect(200);
  });
});
