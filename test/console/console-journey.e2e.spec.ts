/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { entraUser } from '../support/test-gateway.js';
import { browserAvailable, problemsOf, screenshot, signIn, startConsoleHarness, waitForPage, type ConsoleHarness } from './browser.js';

const run = browserAvailable() ? describe : describe.skip;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * The "done when", in one pass and without a terminal: a person sets up a new tenant for Entra, Entra
 * provisions into it, and the person answers "who disabled this account, when, from where" in the console.
 */
run('console journey: set up a tenant for Entra, watch it provision, answer who changed an account (real Chromium)', () => {
  let harness: ConsoleHarness;
  let page: Page;
  let token = '';
  let tokenId = '';
  let userId = '';

  beforeAll(async () => {
    harness = await startConsoleHarness();
    page = await harness.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
  });
  afterAll(async () => {
    await harness?.close();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor();
  /** Entra's requests, with the token the console showed, to the real SCIM endpoint over HTTP. */
  const entra = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${harness.baseUrl}/scim/v2${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>) };
  };

  it('signs in, creates the tenant, issues its token and passes Entra\'s connection test', async () => {
    await signIn(page);
    await page.getByRole('link', { name: 'Tenants', exact: true }).click();
    await heading('Tenants');
    await page.getByLabel('Tenant id').fill('fabrikam');
    await page.getByLabel('Display name (optional)').fill('Fabrikam');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await heading('Tenant Fabrikam (fabrikam)');
    await page.getByLabel('Label').fill('entra');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel('New SCIM token', { exact: true });
    await shown.waitFor();
    token = await shown.inputValue();
    expect(token).toMatch(/^scim_/);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Passed: the gateway accepted the token and answered 200 with no user').waitFor();
    const tenant = (await harness.gateway.admin('get', '/admin/v1/tenants/fabrikam').expect(200)).body as { tokens: { id: string }[] };
    tokenId = tenant.tokens[0]!.id;
  });

  it('Entra runs its cycle with that token: creates, finds, disables, collides once, and makes a group', async () => {
    const created = await entra('POST', '/Users', entraUser('lee@fabrikam.com'));
    expect(created.status).toBe(201);
    userId = String(created.body!['id']);
    expect((await entra('GET', `/Users?filter=${encodeURIComponent('userName eq "lee@fabrikam.com"')}`)).body!['totalResults']).toBe(1);
    expect((await entra('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: false }] })).status).toBe(200);
    expect((await entra('POST', '/Users', entraUser('lee@fabrikam.com'))).status).toBe(409);
    expect((await entra('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales', members: [{ value: userId }] })).status).toBe(201);
  });

  it('shows the tenant\'s requests of the last hour on the overview, by status class', async () => {
    // The provisioning log is written in batches off the request path: the overview counts what has been written.
    for (let attempt = 0; ; attempt += 1) {
      await page.goto('/console');
      await waitForPage(page);
      const row = (await page.getByRole('row', { name: /Fabrikam \(fabrikam\)/ }).textContent()) ?? '';
      // 6 requests: the connection test, POST, GET, PATCH, the 409, the group: 5 successes, 1 client error.
      if (/active6510/.test(row.replace(/\s+/g, ''))) break;
      if (attempt > 40) throw new Error(`the overview never counted the cycle: ${row}`);
      await page.waitForTimeout(250);
    }
    await screenshot(page, 'overview');
  });

  it('finds the 409 in the provisioning log and follows it to the user that holds the name', async () => {
    await page.getByRole('link', { name: 'Provisioning log of fabrikam' }).click();
    await heading('Provisioning log of fabrikam');
    // The log is written off the request path, in batches: the 409 appears within a moment.
    for (let attempt = 0; ; attempt += 1) {
      await page.getByLabel('Status', { exact: true }).selectOption('409');
      await page.getByRole('button', { name: 'Show entries' }).click();
      await page.getByText('Filters: status 409.').waitFor();
      if ((await page.getByRole('region', { name: /Requests of tenant fabrikam/ }).getByRole('row').count()) === 2) break;
      if (attempt > 40) throw new Error('the 409 never reached the provisioning log');
      await page.waitForTimeout(250);
    }
    await page.getByRole('region', { name: /Requests of tenant fabrikam/ }).getByRole('link').first().click();
    await heading('POST /scim/v2/Users');
    expect(await page.getByRole('main').textContent()).toContain('userName "lee@fabrikam.com" is already in use');
    await page.getByRole('link', { name: 'Find the user that holds it' }).click();
    await heading('Users');
    expect(await page.getByLabel('SCIM filter').inputValue()).toBe('userName eq "lee@fabrikam.com"');
    await page.getByRole('link', { name: 'lee@fabrikam.com', exact: true }).click();
    await page.getByRole('link', { name: 'History of this user' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/tenants/fabrikam/users/${userId}`);
    expect(await page.getByRole('main').textContent()).toContain('Sales');
  });

  it('answers who disabled the account, when and from where, with the diff; then the account as it was before', async () => {
    await page.getByRole('link', { name: 'History of this user' }).click();
    await heading(`History of user ${userId}`);
    const disabled = page.getByRole('article', { name: /UserUpdated/ });
    const changes = await disabled.getByRole('listitem').allTextContents();
    expect(changes).toContain('active: true → false');
    const who = (await disabled.textContent()) ?? '';
    expect(who).toContain('SCIM token “entra”');
    expect(who).toContain(tokenId);
    expect(who).toContain('127.0.0.1');

    const history = (await harness.gateway.admin('get', `/admin/v1/tenants/fabrikam/history/Users/${userId}`).expect(200)).body as { events: { recordedAt: string }[] };
    const createdAt = history.events[0]!.recordedAt;
    const local = await page.evaluate((iso) => {
      const time = new Date(iso);
      const pad = (n: number, width = 2) => String(n).padStart(width, '0');
      return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
    }, createdAt);
    await page.getByLabel('As it was at').fill(local);
    await page.getByRole('button', { name: 'Show it' }).click();
    await page.getByRole('heading', { name: /The user as it was at/ }).waitFor();
    const state = JSON.parse((await page.locator('section', { has: page.getByRole('heading', { name: 'The user at a past time' }) }).locator('pre').textContent())!) as Record<string, unknown>;
    expect(state).toMatchObject({ id: userId, userName: 'lee@fabrikam.com', active: true });
  });

  it('verifies the tenant\'s hash chains and signs out', async () => {
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await heading('Audit of fabrikam');
    await page.getByRole('button', { name: 'Verify the hash chains' }).click();
    await page.getByText('Every hash chain checks out.').waitFor();
    expect(await problemsOf(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
    expect((await harness.context.cookies()).filter((cookie) => cookie.name === 'scim-console')).toEqual([]);
  });
});
