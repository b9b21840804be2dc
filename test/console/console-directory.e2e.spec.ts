/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { seedLargeGroup } from '../support/large-group.js';
import { createTestTenant } from '../support/test-tenant.js';
import { entraUser } from '../support/test-gateway.js';
import { browserAvailable, problemsOf, screenshot, seriousAccessibilityViolations, signIn, startConsoleHarness, type ConsoleHarness } from './browser.js';

const run = browserAvailable() ? describe : describe.skip;
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PEOPLE = 55;
const userName = (n: number) => `person-${String(n).padStart(2, '0')}@contoso.com`;

/** The directory pages (docs/console.md "Directory") in Chromium, over users and groups created through SCIM. */
run('console directory: users, groups, members (real Chromium)', () => {
  let harness: ConsoleHarness;
  let page: Page;
  const ids: string[] = [];
  let groupId: string;
  let outerId: string;

  beforeAll(async () => {
    harness = await startConsoleHarness();
    for (let n = 1; n <= PEOPLE; n += 1) {
      const body = { ...entraUser(userName(n)), name: { givenName: `Person`, familyName: `Number ${n}` }, active: n !== 2 };
      const created = await harness.gateway.scim('post', '/scim/v2/Users', body);
      expect(created.status).toBe(201);
      ids.push(JSON.parse(created.text).id);
    }
    const group = await harness.gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'Everyone', externalId: 'grp-everyone', members: ids.map((value) => ({ value })) });
    expect(group.status).toBe(201);
    groupId = JSON.parse(group.text).id;
    const outer = await harness.gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'Company', members: [{ value: groupId }] });
    expect(outer.status).toBe(201);
    outerId = JSON.parse(outer.text).id;
    page = await harness.newPage();
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  });

  const pagerText = (name: string) => page.getByRole('navigation', { name, exact: true }).locator('p').textContent();
  /** Waits until the pager named `name` says `text` (a click draws the next page after the URL changed). */
  const shows = (name: string, text: string) => page.getByRole('navigation', { name, exact: true }).getByText(text, { exact: true }).waitFor();
  const rowsOf = (tableName: RegExp) => page.getByRole('table', { name: tableName }).locator('tbody tr');
  const checkPage = async () => {
    expect(await problemsOf(page)).toEqual([]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  };

  it('lists users 50 a page with their name, active in words, externalId; pages on; filters; shows a refused filter', async () => {
    await signIn(page, undefined, '/console/tenants/default/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await pagerText('Pages of users')).toBe(`Showing 1–50 of ${PEOPLE}`);
    const rows = rowsOf(/Users of tenant default/);
    expect(await rows.count()).toBe(50);
    expect(await rows.nth(0).locator('td').allTextContents()).toEqual([userName(1), 'Person Number 1', 'active', `ext-${userName(1)}`, expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)]);
    expect(await rows.nth(1).locator('td').nth(2).textContent()).toBe('inactive');
    expect(await page.getByLabel('SCIM filter').getAttribute('aria-describedby')).toBeTruthy();
    expect(await page.getByRole('link', { name: /filter syntax/ }).getAttribute('href')).toContain('rfc7644#section-3.4.2.2');
    await checkPage();
    await screenshot(page, 'users');

    await page.getByRole('navigation', { name: 'Pages of users', exact: true }).getByRole('link', { name: 'Next page' }).click();
    await shows('Pages of users', `Showing 51–${PEOPLE} of ${PEOPLE}`);
    expect(new URL(page.url()).searchParams.get('startIndex')).toBe('51');
    expect(await rowsOf(/Users of tenant default/).count()).toBe(PEOPLE - 50);
    expect(await rowsOf(/Users of tenant default/).nth(0).locator('td').nth(0).textContent()).toBe(userName(51));

    await page.getByLabel('SCIM filter').fill(`userName eq "${userName(3)}"`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/filter=/);
    expect(new URL(page.url()).searchParams.get('startIndex')).toBeNull();
    await page.getByText('1 user matches the filter.').waitFor();
    expect(await rowsOf(/matching/).locator('td').first().textContent()).toBe(userName(3));
    await checkPage();

    const bad = 'userName eq';
    await page.getByLabel('SCIM filter').fill(bad);
    await page.getByRole('button', { name: 'Search' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const detail = (await harness.gateway.admin('get', '/admin/v1/tenants/default/directory/Users').query({ filter: bad }).expect(400)).body.detail as string;
    expect(detail.length).toBeGreaterThan(10);
    expect(await alert.textContent()).toContain('400 (invalidFilter)');
    expect(await alert.textContent()).toContain(detail);
    expect(await page.getByLabel('SCIM filter').inputValue()).toBe(bad);
    await checkPage();
  });

  it('opens a user: its facts and JSON, its groups as links, its history and provisioning log', async () => {
    await page.goto('/console/tenants/default/users');
    await page.getByRole('link', { name: userName(1), exact: true }).click();
    await page.getByRole('heading', { name: `User ${userName(1)}`, level: 1 }).waitFor();
    expect(await page.locator('dl.facts').textContent()).toContain(ids[0]);
    expect(await page.locator('pre.json').textContent()).toContain(`"userName": "${userName(1)}"`);
    const groups = rowsOf(/Groups this user is in/);
    expect(await groups.count()).toBe(2);
    expect(await groups.nth(0).locator('td').allTextContents()).toEqual(['Company', 'indirect (through a nested group)']);
    expect(await groups.nth(1).locator('td').allTextContents()).toEqual(['Everyone', 'direct']);
    expect(await page.getByRole('link', { name: 'History of this user' }).getAttribute('href')).toBe(`/console/tenants/default/history/Users/${ids[0]}`);
    expect(await page.getByRole('link', { name: 'Provisioning log of this user' }).getAttribute('href')).toBe(`/console/tenants/default/log?resourceId=${ids[0]}`);
    await checkPage();
    await screenshot(page, 'user');
  });

  it('lists groups with member counts, opens one and pages its members 50 at a time', async () => {
    await page.goto('/console/tenants/default/groups');
    await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
    const groups = rowsOf(/Groups of tenant default/);
    expect(await groups.count()).toBe(2);
    expect(await groups.nth(0).locator('td').allTextContents()).toEqual(['Everyone', String(PEOPLE), 'grp-everyone', expect.stringMatching(/UTC$/)]);
    expect(await groups.nth(1).locator('td').nth(1).textContent()).toBe('1');
    await checkPage();

    await page.getByRole('link', { name: 'Everyone', exact: true }).click();
    await page.getByRole('heading', { name: 'Group Everyone', level: 1 }).waitFor();
    expect(await page.locator('dl.facts').textContent()).toContain(`Members${PEOPLE}`);
    expect(await pagerText('Pages of members')).toBe(`Showing 1–50 of ${PEOPLE}`);
    const members = rowsOf(/Members of Everyone/);
    expect(await members.count()).toBe(50);
    const sorted = [...ids].sort();
    expect(await members.nth(0).locator('td').nth(2).textContent()).toBe(sorted[0]);
    expect(await members.nth(0).getByRole('link').getAttribute('href')).toBe(`/console/tenants/default/users/${sorted[0]}`);
    // Named by its userName (Entra sends members without display).
    expect(await members.nth(0).getByRole('link').textContent()).toBe(userName(ids.indexOf(sorted[0]) + 1));
    expect(await page.getByRole('link', { name: 'History of this group' }).getAttribute('href')).toBe(`/console/tenants/default/history/Groups/${groupId}`);
    await checkPage();

    await page.getByRole('navigation', { name: 'Pages of members', exact: true }).getByRole('link', { name: 'Next page' }).click();
    await shows('Pages of members', `Showing 51–${PEOPLE} of ${PEOPLE}`);
    expect(await rowsOf(/Members of Everyone/).locator('td:nth-child(3)').allTextContents()).toEqual(sorted.slice(50));

    // A group member links to the group page.
    await page.goto(`/console/tenants/default/groups/${outerId}`);
    await page.getByRole('heading', { name: 'Group Company', level: 1 }).waitFor();
    expect(await rowsOf(/Members of Company/).locator('td').nth(1).textContent()).toBe('Group');
    expect(await rowsOf(/Members of Company/).getByRole('link').getAttribute('href')).toBe(`/console/tenants/default/groups/${groupId}`);
    await checkPage();
  });

  it('keeps a 100,000-member group usable: the first page, the next, and the last', async () => {
    const tenant = await createTestTenant(harness.gateway, 'big');
    const seeded = await seedLargeGroup(harness.gateway, tenant.id, 100_000);
    const groupUrl = `/console/tenants/${tenant.id}/groups/${seeded.groupId}`;

    let started = performance.now();
    await page.goto(groupUrl);
    await page.getByRole('heading', { name: `Group ${seeded.displayName}`, level: 1 }).waitFor();
    const firstMs = performance.now() - started;
    expect(await pagerText('Pages of members')).toBe('Showing 1–50 of 100,000');
    const members = rowsOf(/Members of/);
    expect(await members.count()).toBe(50);
    expect(await members.nth(0).locator('td').nth(0).textContent()).toBe(seeded.userNameOf(1));
    expect(await page.getByRole('navigation', { name: 'Pages of members', exact: true }).getByRole('link').allTextContents()).toEqual(['Next page', 'Last page']);
    await checkPage();
    await screenshot(page, 'group');

    await page.getByRole('navigation', { name: 'Pages of members', exact: true }).getByRole('link', { name: 'Next page' }).click();
    await shows('Pages of members', 'Showing 51–100 of 100,000');
    expect(await rowsOf(/Members of/).nth(0).locator('td').nth(0).textContent()).toBe(seeded.userNameOf(51));

    started = performance.now();
    await page.getByRole('navigation', { name: 'Pages of members', exact: true }).getByRole('link', { name: 'Last page' }).click();
    await shows('Pages of members', 'Showing 99,951–100,000 of 100,000');
    const lastMs = performance.now() - started;
    expect(new URL(page.url()).search).toBe('?startIndex=99951');
    expect(await rowsOf(/Members of/).count()).toBe(50);
    expect(await rowsOf(/Members of/).nth(49).locator('td').nth(0).textContent()).toBe(seeded.userNameOf(100_000));
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Last page' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Previous page' }).first().getAttribute('href')).toBe(`${groupUrl}?startIndex=99901`);
    expect(await page.getByRole('link', { name: 'First page' }).first().getAttribute('href')).toBe(groupUrl);
    await checkPage();
    // The same page opened from its URL.
    await page.goto(`${groupUrl}?startIndex=99951`);
    await page.getByText('Showing 99,951–100,000 of 100,000').first().waitFor();
    expect(await rowsOf(/Members of/).nth(49).locator('td').nth(0).textContent()).toBe(seeded.userNameOf(100_000));
    await checkPage();

    // A member is found by name through the users list, filtered on the group.
    started = performance.now();
    await page.getByLabel('User name starts with').fill('member-07777');
    await page.getByRole('button', { name: 'Find members' }).click();
    await page.getByText('10 users match the filter.').waitFor();
    const findMs = performance.now() - started;
    expect(await page.getByLabel('SCIM filter').inputValue()).toBe(`groups[value eq "${seeded.groupId}"] and userName sw "member-07777"`);
    expect(await rowsOf(/Users of tenant/).locator('td:first-child').allTextContents()).toEqual(Array.from({ length: 10 }, (_, i) => seeded.userNameOf(77_770 + i)));
    await checkPage();

    // Its member opens as a user; the groups list counts its members up to 1,000.
    await page.goto(`${groupUrl}?startIndex=99951`);
    await shows('Pages of members', 'Showing 99,951–100,000 of 100,000');
    await rowsOf(/Members of/).nth(49).getByRole('link').click();
    await page.getByRole('heading', { name: `User ${seeded.userNameOf(100_000)}`, level: 1 }).waitFor();
    await page.goto(`/console/tenants/${tenant.id}/groups`);
    expect(await rowsOf(/Groups of tenant/).nth(0).locator('td').nth(1).textContent()).toBe('1,000 or more');
    await checkPage();
    console.info(`100,000-member group in Chromium: group page loaded in ${firstMs.toFixed(0)} ms, the last member page drawn ${lastMs.toFixed(0)} ms after the click, a member found by name in ${findMs.toFixed(0)} ms (PGlite)`);
  }, 300_000);
});
