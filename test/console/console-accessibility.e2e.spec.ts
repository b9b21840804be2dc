/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { entraUser } from '../support/test-gateway.js';
import { browserAvailable, problemsOf, seriousAccessibilityViolations, signIn, startConsoleHarness, pagesOverflowingAt640, waitForPage, type ConsoleHarness } from './browser.js';

const run = browserAvailable() ? describe : describe.skip;

/**
 * Every page of the console, drawn with real data: axe-core finds no serious or critical violation, nothing
 * overflows sideways at 200 % zoom (a 1280 px window zoomed twice is 640 CSS px wide), there is no CSP violation
 * or script error, and the keyboard alone gets around.
 */
run('console accessibility on every page (real Chromium)', () => {
  let harness: ConsoleHarness;
  let page: Page;
  let userId: string;
  let groupId: string;
  let entryId: string;

  beforeAll(async () => {
    harness = await startConsoleHarness();
    const scim = harness.gateway.scim;
    userId = (await scim('post', '/scim/v2/Users', entraUser('ada@example.com')).expect(201)).body.id;
    await scim('post', '/scim/v2/Users', entraUser('ada@example.com')).expect(409);
    await scim('patch', `/scim/v2/Users/${userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: false }],
    }).expect(200);
    groupId = (
      await scim('post', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering', members: [{ value: userId }] }).expect(201)
    ).body.id;
    // The provisioning log is written off the request path: wait until the entries are there.
    for (let i = 0; i < 100; i += 1) {
      const log = await harness.gateway.admin('get', '/admin/v1/tenants/default/provisioning-log?status=409').expect(200);
      if (log.body.entries.length > 0) {
        entryId = log.body.entries[0].id;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(entryId).toBeDefined();
    page = await harness.newPage();
    await signIn(page);
  });
  afterAll(async () => {
    await harness?.close();
  });

  const pages = () => [
    '/console',
    '/console/tenants',
    '/console/admin-tokens',
    '/console/tenants/default',
    '/console/tenants/default/log',
    `/console/tenants/default/log/${entryId}`,
    '/console/tenants/default/users',
    `/console/tenants/default/users/${userId}`,
    '/console/tenants/default/groups',
    `/console/tenants/default/groups/${groupId}`,
    `/console/tenants/default/history/Users/${userId}`,
    '/console/tenants/default/audit',
    '/console/tenants/default/schemas',
    '/console/no-such-page',
  ];

  it('draws every page without a serious accessibility violation, a script error or a CSP violation', async () => {
    const found: Record<string, unknown> = {};
    for (const path of pages()) {
      await page.goto(path);
      await waitForPage(page);
      const heading = page.getByRole('heading', { level: 1 });
      await page.waitForLoadState('networkidle');
      const title = (await heading.textContent()) ?? '';
      expect([path, title]).not.toEqual([path, 'Something went wrong']);
      expect([path, title]).not.toEqual([path, 'SCIM gateway console']);
      const violations = await seriousAccessibilityViolations(page);
      if (violations.length > 0) found[path] = violations;
      expect([path, await problemsOf(page)]).toEqual([path, []]);
    }
    expect(found).toEqual({});
  });

  it('reflows at 200 % zoom: no page scrolls sideways at 640 CSS pixels (wide tables scroll inside their own region)', async () => {
    expect(await pagesOverflowingAt640(page, pages())).toEqual({});
  });

  it('gets around by keyboard: skip link first, then the navigation; Enter follows a link and focus lands on the new page\'s heading', async () => {
    await page.goto('/console');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    await page.goto('/console');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    let reached = false;
    for (let i = 0; i < 15 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(() => document.activeElement?.textContent)) === 'Tenants';
    }
    expect(reached).toBe(true);
    const focusVisible = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(focusVisible).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/tenants');
    await waitForPage(page);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await page.title()).toContain('SCIM gateway console');
  });
});
