/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../support/test-gateway.js';
import { browserAvailable, problemsOf, screenshot, seriousAccessibilityViolations, signIn, startConsoleHarness, type ConsoleHarness } from './browser.js';

const run = browserAvailable() ? describe : describe.skip;

run('console sign-in, session cookie, CSRF and CSP (real Chromium)', () => {
  let harness: ConsoleHarness;
  let page: Page;

  beforeAll(async () => {
    harness = await startConsoleHarness();
    page = await harness.newPage();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const sessionCookie = async () => (await harness.context.cookies()).find((cookie) => cookie.name === 'scim-console');

  it('refuses a wrong token with the gateway\'s own message, and an axe check of the sign-in page finds nothing serious', async () => {
    await page.goto('/console');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(page.url()).toContain('/console/sign-in');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    await page.getByLabel('Admin token').fill('not-an-admin-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('401');
    expect(await page.getByRole('alert').textContent()).toContain('not valid');
    expect(await sessionCookie()).toBeUndefined();
  });

  it('signs in with the admin token into an HttpOnly, SameSite=Strict session; the token is in no browser storage', async () => {
    await signIn(page);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      field: (document.querySelector('input[type=password]') as HTMLInputElement | null)?.value ?? null,
    }));
    expect(stored.cookie).not.toContain(cookie!.value);
    for (const place of [stored.cookie, stored.local, stored.session]) expect(place).not.toContain(TEST_ADMIN_TOKEN);
    expect(stored.field).toBeNull();
    // The overview: the default tenant, health, readiness and the projection lag.
    await expect(page.getByRole('link', { name: /default/ }).first().isVisible()).resolves.toBe(true);
    expect(await page.getByText('alive').isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: /Projections/ }).textContent()).toContain('read model');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await problemsOf(page)).toEqual([]);
  });

  it('a stolen session cookie without the CSRF token changes nothing; from another origin neither; it still reads', async () => {
    const cookie = (await sessionCookie())!;
    const headers = { Cookie: `scim-console=${cookie.value}`, 'Content-Type': 'application/json' };
    const create = (extra: Record<string, string>, id: string) =>
      fetch(`${harness.baseUrl}/admin/v1/tenants`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify({ id }) });

    const noToken = await create({}, 'stolen-1');
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { detail: string }).detail).toContain('CSRF');
    expect((await create({ 'X-CSRF-Token': 'A'.repeat(43) }, 'stolen-2')).status).toBe(403);

    const csrf = await page.evaluate(async () => ((await (await fetch('/admin/v1/session')).json()) as { csrfToken: string }).csrfToken);
    expect((await create({ 'X-CSRF-Token': csrf, Origin: 'https://evil.example' }, 'stolen-3')).status).toBe(403);
    // A GET reads with the cookie alone (SameSite=Strict keeps other sites from sending it at all).
    expect((await fetch(`${harness.baseUrl}/admin/v1/tenants`, { headers })).status).toBe(200);
    // The console's own call, same origin with the token, is allowed: the guard is not refusing everything.
    expect((await create({ 'X-CSRF-Token': csrf, Origin: harness.baseUrl }, 'allowed-1')).status).toBe(201);
    const tenants = (await harness.gateway.admin('get', '/admin/v1/tenants').expect(200)).body as { tenants: { id: string }[] };
    expect(tenants.tenants.map((tenant) => tenant.id).sort()).toEqual(['allowed-1', 'default']);
  });

  it('serves a strict CSP; the page has no inline script, and an injected one does not run', async () => {
    const response = await fetch(`${harness.baseUrl}/console/tenants`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(tag).toMatch(/^<script[^>]*\bsrc="\/console\/assets\/[^"]+"[^>]*><\/script>$/);

    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = 1';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (window as unknown as { __injected?: number }).__injected ?? null;
    });
    expect(ran).toBeNull();
    expect((await problemsOf(page)).some((problem) => problem.startsWith('CSP violation: script-src'))).toBe(true);
  });

  it('text from the API is drawn as text: a tenant named like markup stays a name', async () => {
    const hostile = '<img src=x onerror="window.__xss=1">';
    await harness.gateway.admin('post', '/admin/v1/tenants', { id: 'hostile', displayName: hostile }).expect(201);
    await page.goto('/console');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.getByRole('link', { name: `${hostile} (hostile)` }).count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? null)).toBeNull();
  });

  it('signs out: back at sign-in, and the old cookie opens nothing any more', async () => {
    const cookie = (await sessionCookie())!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('You are signed out.').isVisible()).toBe(true);
    expect(await sessionCookie()).toBeUndefined();
    const replay = await fetch(`${harness.baseUrl}/admin/v1/tenants`, { headers: { Cookie: `scim-console=${cookie.value}` } });
    expect(replay.status).toBe(401);
  });

  it('ends the session when its admin token is revoked, and says so on the next page', async () => {
    const other = (await harness.gateway.admin('post', '/admin/v1/admin-tokens', { label: 'second operator' }).expect(201)).body as { id: string; token: string };
    await signIn(page, other.token);
    await harness.gateway.admin('post', `/admin/v1/admin-tokens/${other.id}/revoke`).expect(200);
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('sign in again');
  });
});
