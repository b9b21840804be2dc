import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { runAdminCli } from '../apps/admin/src/admin.main.js';
import type { CommandOutput } from '../apps/admin/src/admin-command.js';
import { TokenService } from '../apps/gateway/src/tenancy/token.service.js';
import { CORE_USER, startTestGateway, TEST_ADMIN_TOKEN, TEST_TOKEN, type TestGateway } from './support/test-gateway.js';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const json = (response: { text: string }) => JSON.parse(response.text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** docs/admin.md: tenants and SCIM tokens through /admin/v1, and the CLI over the same API. */
describe('admin API: tenants and SCIM tokens', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const createTenant = async (id: string, displayName?: string) => {
    const response = await gateway.admin('post', '/admin/v1/tenants', { id, ...(displayName ? { displayName } : {}) });
    expect(response.status).toBe(201);
    return json(response);
  };
  const createToken = async (tenantId: string, body: Record<string, unknown> = {}) => {
    const response = await gateway.admin('post', `/admin/v1/tenants/${tenantId}/tokens`, body);
    expect(response.status).toBe(201);
    return json(response) as { id: string; token: string; expiresAt: string | null; status: string };
  };
  const usersStatus = async (token: string) => (await gateway.as(token, 'get', '/scim/v2/Users')).status;

  describe('tenants', () => {
    it('creates a tenant (201), shows and lists it, and answers 409 uniqueness for the same id', async () => {
      const tenant = await createTenant('contoso', 'Contoso Ltd');
      expect(tenant).toEqual({ id: 'contoso', displayName: 'Contoso Ltd', status: 'active', createdAt: expect.any(String), disabledAt: null });

      const again = await gateway.admin('post', '/admin/v1/tenants', { id: 'contoso' });
      expect(again.status).toBe(409);
      expect(json(again)).toEqual({ schemas: [SCIM_ERROR], status: '409', scimType: 'uniqueness', detail: 'tenant "contoso" already exists' });

      const shown = await gateway.admin('get', '/admin/v1/tenants/contoso');
      expect(shown.status).toBe(200);
      // With it, what a SCIM client is configured with: the Tenant URL (PUBLIC_BASE_URL, here the default) and the
      // default grace period of a rotation (TOKEN_ROTATION_GRACE_SECONDS, one day).
      expect(json(shown)).toEqual({ ...tenant, scimBaseUrl: 'http://localhost:3000/scim/v2', tokenRotationGraceSeconds: 86_400, tokens: [] });

      const list = json(await gateway.admin('get', '/admin/v1/tenants'));
      expect(list.tenants.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['contoso', 'default']));
    });

    it.each([
      ['a dot', 'contoso.eu'],
      ['upper case', 'Contoso'],
      ['a leading hyphen', '-x'],
      ['64 characters', 'x'.repeat(64)],
    ])('refuses a tenant id with %s: 400 invalidValue', async (_, id) => {
      const response = await gateway.admin('post', '/admin/v1/tenants', { id });
      expect(response.status).toBe(400);
      expect(json(response)).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining('tenant id') });
    });

    it('answers 404 for an unknown tenant on every tenant route', async () => {
      for (const [method, path] of [
        ['get', '/admin/v1/tenants/nobody'],
        ['post', '/admin/v1/tenants/nobody/disable'],
        ['post', '/admin/v1/tenants/nobody/enable'],
        ['get', '/admin/v1/tenants/nobody/tokens'],
        ['post', '/admin/v1/tenants/nobody/tokens'],
      ] as const) {
        const response = await gateway.admin(method, path);
        expect([path, response.status, json(response).detail]).toEqual([path, 404, 'tenant "nobody" not found']);
      }
    });

    it('disabling a tenant refuses its tokens at once (401), enabling accepts them again', async () => {
      await createTenant('fabrikam');
      const { token } = await createToken('fabrikam');
      expect(await usersStatus(token)).toBe(200); // now cached by TokenService

      const disabled = await gateway.admin('post', '/admin/v1/tenants/fabrikam/disable');
      expect(json(disabled)).toMatchObject({ status: 'disabled', disabledAt: expect.any(String) });
      const refused = await gateway.as(token, 'get', '/scim/v2/Users');
      expect(refused.status).toBe(401);
      expect(json(refused).detail).toMatch(/tenant is disabled/);
      // Idempotent: the first disabledAt stays.
      expect(json(await gateway.admin('post', '/admin/v1/tenants/fabrikam/disable')).disabledAt).toBe(json(disabled).disabledAt);

      expect(json(await gateway.admin('post', '/admin/v1/tenants/fabrikam/enable'))).toMatchObject({ status: 'active', disabledAt: null });
      expect(await usersStatus(token)).toBe(200);
    });

    it('refuses the admin API without the admin token, and with a SCIM token (401)', async () => {
      const server = gateway.app.getHttpServer();
      expect((await request(server).get('/admin/v1/tenants')).status).toBe(401);
      const withScimToken = await request(server).get('/admin/v1/tenants').set('Authorization', `Bearer ${TEST_TOKEN}`);
      expect(withScimToken.status).toBe(401);
      expect(json(withScimToken).detail).toMatch(/SCIM tokens do not open the admin API/);
      const create = await request(server).post('/admin/v1/tenants').set('Authorization', `Bearer ${TEST_TOKEN}`).send({ id: 'sneaky' });
      expect(create.status).toBe(401);
      expect((await gateway.admin('get', '/admin/v1/tenants/sneaky')).status).toBe(404);
    });
  });

  describe('SCIM tokens', () => {
    beforeAll(async () => {
      await createTenant('tokens-tenant');
    });

    it('shows a new token once; lists never show the token or its hash', async () => {
      const issued = await createToken('tokens-tenant', { label: 'entra', expiresInDays: 30 });
      expect(issued).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tenantId: 'tokens-tenant',
        label: 'entra',
        status: 'active',
        token: expect.stringMatching(/^scim_[A-Za-z0-9_-]{43}$/),
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        revokedAt: null,
        lastUsedAt: null,
        rotatedFrom: null,
        replacedBy: null,
      });
      expect(Date.parse(issued.expiresAt!) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);

      const list = await gateway.admin('get', '/admin/v1/tenants/tokens-tenant/tokens');
      expect(list.status).toBe(200);
      const { token: _secret, ...withoutSecret } = issued as unknown as Record<string, unknown>;
      expect(json(list).tokens).toContainEqual(withoutSecret);
      expect(list.text).not.toContain(issued.token);
      expect(list.text).not.toMatch(/hash/i);
      const stored: { token_hash: string }[] = await gateway.runtime.dataSource.query(`SELECT token_hash FROM scim_tokens WHERE id = $1`, [issued.id]);
      expect(stored[0].token_hash).not.toContain(issued.token);
      expect(list.text).not.toContain(stored[0].token_hash);
    });

    it("works for the tenant's SCIM requests and records lastUsedAt (asynchronously, not on every request)", async () => {
      const issued = await createToken('tokens-tenant', { label: 'last-use' });
      expect(await usersStatus(issued.token)).toBe(200);
      await gateway.app.get(TokenService).lastUseWritesSettled();
      const listed = json(await gateway.admin('get', '/admin/v1/tenants/tokens-tenant/tokens')).tokens.find((t: { id: string }) => t.id === issued.id);
      expect(Date.now() - Date.parse(listed.lastUsedAt)).toBeLessThan(60_000);

      // Within the minute, more requests write nothing.
      await gateway.runtime.dataSource.query(`UPDATE scim_tokens SET last_used_at = '2000-01-01T00:00:00Z' WHERE id = $1`, [issued.id]);
      expect(await usersStatus(issued.token)).toBe(200);
      await gateway.app.get(TokenService).lastUseWritesSettled();
      const [row] = await gateway.runtime.dataSource.query(`SELECT last_used_at FROM scim_tokens WHERE id = $1`, [issued.id]);
      expect(new Date(row.last_used_at).toISOString()).toBe('2000-01-01T00:00:00.000Z');
    });

    it('refuses bad token requests with 400 invalidValue', async () => {
      for (const body of [{ expiresInDays: 0 }, { expiresAt: '2000-01-01T00:00:00Z' }, { expiresAt: 'tomorrow' }, { label: 'x', lable: 'typo' }]) {
        const response = await gateway.admin('post', '/admin/v1/tenants/tokens-tenant/tokens', body);
        expect([body, response.status, json(response).scimType]).toEqual([body, 400, 'invalidValue']);
      }
    });

    it('revokes a token: 401 at once, even though it was just cached; revoking again keeps revokedAt', async () => {
      const issued = await createToken('tokens-tenant', { label: 'to revoke' });
      expect(await usersStatus(issued.token)).toBe(200);
      const revoked = await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${issued.id}/revoke`);
      expect(revoked.status).toBe(200);
      expect(json(revoked)).toMatchObject({ id: issued.id, status: 'revoked', revokedAt: expect.any(String) });
      expect(await usersStatus(issued.token)).toBe(401);
      expect(json(await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${issued.id}/revoke`)).revokedAt).toBe(json(revoked).revokedAt);
    });

    it('answers 404 for a token of another tenant, an unknown token and a malformed token id', async () => {
      const issued = await createToken('tokens-tenant');
      for (const path of [
        `/admin/v1/tenants/default/tokens/${issued.id}/revoke`,
        `/admin/v1/tenants/default/tokens/${issued.id}/rotate`,
        '/admin/v1/tenants/tokens-tenant/tokens/00000000-0000-4000-8000-000000000000/revoke',
        '/admin/v1/tenants/tokens-tenant/tokens/not-a-uuid/rotate',
      ]) {
        const response = await gateway.admin('post', path);
        expect([path, response.status]).toEqual([path, 404]);
      }
      expect(await usersStatus(issued.token)).toBe(200);
    });

    it('rotates: a new token at once, the old one until the grace period ends, then 401', async () => {
      const old = await createToken('tokens-tenant', { label: 'entra' });
      expect(await usersStatus(old.token)).toBe(200);
      const response = await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${old.id}/rotate`, { gracePeriodSeconds: 2 });
      expect(response.status).toBe(201);
      const rotated = json(response);
      expect(rotated).toMatchObject({ label: 'entra', status: 'active', rotatedFrom: old.id, replacedBy: null, token: expect.stringMatching(/^scim_/) });
      expect(rotated.previous).toMatchObject({ id: old.id, status: 'rotated', replacedBy: rotated.id });
      expect(Date.parse(rotated.previous.expiresAt) - Date.now()).toBeLessThanOrEqual(2_000);

      expect(await usersStatus(rotated.token)).toBe(200);
      expect(await usersStatus(old.token)).toBe(200); // in its grace period
      await sleep(Date.parse(rotated.previous.expiresAt) - Date.now() + 50);
      expect(await usersStatus(old.token)).toBe(401); // the cached lookup ends at the expiry too
      expect(await usersStatus(rotated.token)).toBe(200);

      const again = await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${old.id}/rotate`);
      expect(again.status).toBe(409);
      expect(json(again).detail).toMatch(/already rotated/);
    });

    it('rotates with the configured grace period by default, and with 0 the old token stops at once', async () => {
      const first = await createToken('tokens-tenant');
      const rotated = json(await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${first.id}/rotate`));
      const grace = Date.parse(rotated.previous.expiresAt) - Date.now();
      expect(grace).toBeGreaterThan((gateway.config.tokenRotationGraceSeconds - 60) * 1000);
      expect(grace).toBeLessThanOrEqual(gateway.config.tokenRotationGraceSeconds * 1000);

      expect(await usersStatus(rotated.token)).toBe(200);
      const immediate = json(await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${rotated.id}/rotate`, { gracePeriodSeconds: 0 }));
      expect(await usersStatus(rotated.token)).toBe(401);
      expect(await usersStatus(immediate.token)).toBe(200);
    });

    it('never extends an expiry by rotating, and refuses to rotate a revoked token (409)', async () => {
      const shortLived = await createToken('tokens-tenant', { expiresAt: new Date(Date.now() + 60_000).toISOString() });
      const rotated = json(await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${shortLived.id}/rotate`, { gracePeriodSeconds: 3600 }));
      expect(rotated.previous.expiresAt).toBe(shortLived.expiresAt);

      const revoked = await createToken('tokens-tenant');
      await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${revoked.id}/revoke`);
      const refused = await gateway.admin('post', `/admin/v1/tenants/tokens-tenant/tokens/${revoked.id}/rotate`);
      expect(refused.status).toBe(409);
      expect(json(refused).detail).toMatch(/revoked/);
    });

    it('refuses an expired token (401), including one that was cached before it expired', async () => {
      const issued = await createToken('tokens-tenant', { expiresAt: new Date(Date.now() + 1_500).toISOString() });
      expect(await usersStatus(issued.token)).toBe(200);
      await sleep(Date.parse(issued.expiresAt!) - Date.now() + 50);
      const refused = await gateway.as(issued.token, 'get', '/scim/v2/Users');
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      const listed = json(await gateway.admin('get', '/admin/v1/tenants/tokens-tenant/tokens')).tokens.find((t: { id: string }) => t.id === issued.id);
      expect(listed.status).toBe('expired');
    });
  });

  describe('CLI (npm run admin) against the running gateway', () => {
    let baseUrl: string;
    beforeAll(async () => {
      const server = gateway.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      const output: CommandOutput = { out: (text) => lines.push(text), write: () => undefined };
      const code = await runAdminCli(argv, { ADMIN_URL: baseUrl, ADMIN_TOKEN: TEST_ADMIN_TOKEN }, output);
      return { code, text: lines.join('\n') };
    };

    it('tenants create, list, show, disable, enable', async () => {
      const created = await cli('tenants', 'create', 'cli-tenant', '--display-name', 'CLI Tenant');
      expect(created).toEqual({ code: 0, text: expect.stringContaining('cli-tenant (CLI Tenant)') });
      expect(await cli('tenants', 'create', 'cli-tenant')).toEqual({ code: 1, text: 'refused (409): tenant "cli-tenant" already exists' });
      expect(await cli('tenants', 'create', 'Bad.Id')).toMatchObject({ code: 1, text: expect.stringContaining('refused (400)') });

      const listed = await cli('tenants', 'list');
      expect(listed.code).toBe(0);
      expect(listed.text).toMatch(/^ID\s+STATUS\s+DISPLAY NAME\s+CREATED$/m);
      expect(listed.text).toMatch(/^cli-tenant\s+active\s+CLI Tenant\s+/m);

      const asJson = await cli('tenants', 'show', 'cli-tenant', '--json');
      expect(JSON.parse(asJson.text)).toMatchObject({ id: 'cli-tenant', status: 'active', tokens: [] });

      expect((await cli('tenants', 'disable', 'cli-tenant')).text).toMatch(/status\s+disabled since/);
      expect((await cli('tenants', 'enable', 'cli-tenant')).text).toMatch(/status\s+active/);
      expect(await cli('tenants', 'show', 'nobody')).toEqual({ code: 1, text: 'refused (404): tenant "nobody" not found' });
    });

    it('tokens create, list, rotate, revoke; the printed tokens work for SCIM', async () => {
      const created = await cli('tokens', 'create', 'cli-tenant', '--label', 'entra', '--expires-in-days', '90');
      expect(created.code).toBe(0);
      const token = /^ {4}(scim_\S+)$/m.exec(created.text)![1];
      const tokenId = /token id\s+(\S+)/.exec(created.text)![1];
      expect(await usersStatus(token)).toBe(200);

      const listed = await cli('tokens', 'list', 'cli-tenant');
      expect(listed.text).toMatch(new RegExp(`^${tokenId}\\s+active\\s+entra\\s+`, 'm'));
      expect(listed.text).not.toContain(token);

      const rotated = await cli('tokens', 'rotate', 'cli-tenant', tokenId, '--grace-seconds', '600');
      expect(rotated.code).toBe(0);
      expect(rotated.text).toMatch(/keeps working until .*Secret Token/);
      const newToken = /^ {4}(scim_\S+)$/m.exec(rotated.text)![1];
      const newTokenId = /token id\s+(\S+)/.exec(rotated.text)![1];
      expect(await usersStatus(newToken)).toBe(200);
      expect(await usersStatus(token)).toBe(200);

      expect(await cli('tokens', 'revoke', 'cli-tenant', tokenId)).toMatchObject({ code: 0, text: expect.stringMatching(/^revoked token/) });
      expect(await usersStatus(token)).toBe(401);
      expect(await usersStatus(newToken)).toBe(200);

      const json = JSON.parse((await cli('tokens', 'list', 'cli-tenant', '--json')).text);
      expect(json.tokens.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
        [tokenId, 'revoked'],
        [newTokenId, 'active'],
      ]);
    });

    it('admin-tokens create, list, revoke; the printed token opens the admin API', async () => {
      const created = await cli('admin-tokens', 'create', '--label', 'second operator');
      expect(created.code).toBe(0);
      const token = /^ {4}(admin_\S+)$/m.exec(created.text)![1];
      const tokenId = /token id\s+(\S+)/.exec(created.text)![1];
      expect((await gateway.as(token, 'get', '/admin/v1/tenants')).status).toBe(200);
      const listed = await cli('admin-tokens', 'list');
      expect(listed.text).toMatch(new RegExp(`^${tokenId}\\s+active\\s+second operator\\s+`, 'm'));
      expect(listed.text).not.toContain(token);
      expect(await cli('admin-tokens', 'revoke', tokenId)).toEqual({ code: 0, text: expect.stringMatching(/^revoked admin token /) });
      expect((await gateway.as(token, 'get', '/admin/v1/tenants')).status).toBe(401);
      expect((await cli('admin-tokens', 'revoke')).code).toBe(2);
    });

    it('answers usage errors with exit code 2 and the usage line', async () => {
      expect(await cli('tokens', 'create')).toEqual({ code: 2, text: expect.stringMatching(/missing <tenantId>\nusage: npm run admin -- tokens create <tenantId>/) });
      expect((await cli('tokens', 'create', 'cli-tenant', '--expires-in-days', 'soon')).code).toBe(2);
      expect((await cli('tokens', 'rotate', 'cli-tenant')).text).toMatch(/missing <tokenId>/);
      const help = await cli('help');
      expect(help.code).toBe(0);
      for (const name of ['tenants create', 'tenants list', 'tenants show', 'tenants disable', 'tenants enable', 'tokens create', 'tokens list', 'tokens rotate', 'tokens revoke', 'admin-tokens create', 'admin-tokens list', 'admin-tokens revoke']) {
        expect(help.text).toContain(`  ${name} `);
      }
    });
  });
});

describe('admin API: admin tokens (docs/admin.md "Admin tokens")', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });
  const adminStatus = async (token: string) => (await gateway.as(token, 'get', '/admin/v1/tenants')).status;

  it('answers 404 for an unknown or malformed admin token id, 400 for a bad body, 401 without an admin token', async () => {
    for (const id of ['6f1d2c3b-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const response = await gateway.admin('post', `/admin/v1/admin-tokens/${id}/revoke`);
      expect(response.status).toBe(404);
      expect(json(response).detail).toContain(id);
    }
    const bad = await gateway.admin('post', '/admin/v1/admin-tokens', { label: 7 });
    expect(bad.status).toBe(400);
    expect(json(bad)).toMatchObject({ scimType: 'invalidValue' });
    expect((await gateway.admin('post', '/admin/v1/admin-tokens', { colour: 'red' })).status).toBe(400);
    expect((await gateway.as(TEST_TOKEN, 'get', '/admin/v1/admin-tokens')).status).toBe(401);
  });

  it('lists, creates (shown once), and revokes admin tokens; a revoked one is refused at once; the last one cannot go', async () => {
    const before = json(await gateway.admin('get', '/admin/v1/admin-tokens')).tokens as { id: string; label: string; status: string }[];
    expect(before).toEqual([{ id: expect.any(String), label: 'ADMIN_TOKEN', status: 'active', createdAt: expect.any(String), revokedAt: null }]);

    const created = await gateway.admin('post', '/admin/v1/admin-tokens', { label: 'ci pipeline' });
    expect(created.status).toBe(201);
    const issued = json(created) as { id: string; token: string; label: string; status: string };
    expect(issued).toMatchObject({ label: 'ci pipeline', status: 'active', token: expect.stringMatching(/^admin_/) });
    expect(await adminStatus(issued.token)).toBe(200);
    expect((await gateway.as(issued.token, 'get', '/scim/v2/Users')).status).toBe(401); // an admin token is no SCIM token

    const listed = await gateway.admin('get', '/admin/v1/admin-tokens');
    expect(listed.text).not.toContain(issued.token);
    expect((json(listed).tokens as { id: string }[]).map((t) => t.id)).toEqual([before[0].id, issued.id]);

    const revoked = await gateway.admin('post', `/admin/v1/admin-tokens/${issued.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(json(revoked)).toMatchObject({ id: issued.id, status: 'revoked', revokedAt: expect.any(String) });
    expect(await adminStatus(issued.token)).toBe(401);
    const again = json(await gateway.admin('post', `/admin/v1/admin-tokens/${issued.id}/revoke`));
    expect(again.revokedAt).toBe(json(revoked).revokedAt);

    // The test's own token is now the only active one: revoking it would lock the admin API.
    const last = await gateway.admin('post', `/admin/v1/admin-tokens/${before[0].id}/revoke`);
    expect(last.status).toBe(409);
    expect(json(last)).toMatchObject({ schemas: [SCIM_ERROR], detail: expect.stringMatching(/last active one; create another admin token first/) });
    expect(await adminStatus(TEST_ADMIN_TOKEN)).toBe(200);

    // With a second token, an operator can revoke the one they used (here the bootstrap ADMIN_TOKEN).
    const second = json(await gateway.admin('post', '/admin/v1/admin-tokens', {})) as { id: string; token: string };
    expect((await gateway.as(second.token, 'post', `/admin/v1/admin-tokens/${before[0].id}/revoke`)).status).toBe(200);
    expect(await adminStatus(TEST_ADMIN_TOKEN)).toBe(401);
    expect(await adminStatus(second.token)).toBe(200);
  });

});

describe('rate limit per SCIM token (RATE_LIMIT_PER_SECOND)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 429 with Retry-After and a SCIM error once the burst is used, per token', async () => {
    expect((await gateway.scim('get', '/scim/v2/Users')).status).toBe(200);
    expect((await gateway.scim('get', '/scim/v2/ServiceProviderConfig')).status).toBe(200);
    const limited = await gateway.scim('post', '/scim/v2/Users', { schemas: [CORE_USER], userName: 'limited@contoso.com' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(limited.headers['content-type']).toMatch(/application\/scim\+json/);
    expect(json(limited)).toEqual({
      schemas: [SCIM_ERROR],
      status: '429',
      detail: expect.stringMatching(/1 per second.*bursts of 2.*RATE_LIMIT_PER_SECOND/),
    });
    // Nothing was written.
    await sleep(Number(limited.headers['retry-after']) * 1000);
    const found = json(await gateway.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('userName eq "limited@contoso.com"')));
    expect(found.totalResults).toBe(0);

    // Another token has its own bucket; the admin API is not limited.
    await gateway.admin('post', '/admin/v1/tenants', { id: 'limited' });
    const other = json(await gateway.admin('post', '/admin/v1/tenants/limited/tokens', {})).token;
    expect((await gateway.as(other, 'get', '/scim/v2/Users')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await gateway.admin('get', '/admin/v1/tenants')).status).toBe(200);
  });

  it('does not limit requests that fail authentication (they have no token to count against)', async () => {
    for (let i = 0; i < 5; i++) expect((await gateway.as('unknown-token-0123456789', 'get', '/scim/v2/Users')).status).toBe(401);
  });
});
