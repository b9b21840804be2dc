/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { EVENTS_TABLE } from '#event-store/postgres/postgres.schema.js';
import { entraUser } from '../support/test-gateway.js';
import { browserAvailable, problemsOf, screenshot, seriousAccessibilityViolations, signIn, startConsoleHarness, pagesOverflowingAt640, type ConsoleHarness } from './browser.js';

const run = browserAvailable() ? describe : describe.skip;

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const HOSTILE = '<img src=x onerror="window.__xss=1">';

interface HistoryEvent {
  readonly type: string;
  readonly recordedAt: string;
}

/** Issue 15 items 4 and 6: find a 409 in the provisioning log, follow a request to its user's history, see the diff, asOf, verify, export. */
run('console provisioning log and history for auditors (real Chromium)', () => {
  let harness: ConsoleHarness;
  let page: Page;
  let ann: { id: string };
  let group: { id: string };

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const heading = (name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const checkPage = async () => {
    expect(await problemsOf(page)).toEqual([]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? null)).toBeNull();
  };
  /** The value a datetime-local input takes for an ISO time, in the page's own time zone, to the millisecond. */
  const localValue = (iso: string) =>
    page.evaluate((time) => {
      const t = new Date(time);
      const p = (n: number, width = 2) => String(n).padStart(width, '0');
      return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}.${p(t.getMilliseconds(), 3)}`;
    }, iso);

  beforeAll(async () => {
    harness = await startConsoleHarness();
    page = await harness.newPage();
    const scim = harness.gateway.scim;
    // An Entra-like cycle: two users, one disabled (and renamed to markup), a duplicate create, a group with members.
    ann = (await scim('post', '/scim/v2/Users', entraUser('ann@contoso.com')).expect(201)).body as { id: string };
    const bob = (await scim('post', '/scim/v2/Users', entraUser('bob@contoso.com')).expect(201)).body as { id: string };
    await pause(30); // the asOf step picks a time between the create and the PATCH
    await scim('patch', `/scim/v2/Users/${ann.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'active', value: false },
        { op: 'replace', path: 'displayName', value: HOSTILE },
      ],
    }).expect(200);
    const duplicate = await scim('post', '/scim/v2/Users', entraUser('ann@contoso.com', 'ext-other'));
    expect(duplicate.status).toBe(409);
    group = (await scim('post', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales', members: [{ value: ann.id }, { value: bob.id }] }).expect(201))
      .body as { id: string };
    // The log is written in batches a little after the responses.
    for (let attempt = 0; ; attempt++) {
      const log = (await harness.gateway.admin('get', '/admin/v1/tenants/default/provisioning-log?limit=1000').expect(200)).body as { entries: { status: number; resourceType: string }[] };
      if (log.entries.some((entry) => entry.status === 409) && log.entries.some((entry) => entry.resourceType === 'Group')) break;
      if (attempt > 100) throw new Error('the provisioning log did not record the cycle');
      await pause(50);
    }
    await signIn(page);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('finds the 409 in the provisioning log by filtering status 409; the filters live in the URL', async () => {
    await page.getByRole('link', { name: 'Provisioning log of default' }).click();
    await heading('Provisioning log of default');
    const entries = page.getByRole('region', { name: /Requests of tenant default/ });
    expect(await entries.getByRole('row').count()).toBe(1 + 5); // header + 2 creates, a PATCH, the 409, the group
    await page.getByLabel('Status', { exact: true }).selectOption('409');
    await page.getByRole('button', { name: 'Show entries' }).click();
    await page.waitForURL(/status=409/);
    await page.getByText('Filters: status 409.').waitFor();
    const rows = entries.getByRole('row');
    expect(await rows.count()).toBe(2);
    const row = await rows.nth(1).textContent();
    expect(row).toContain('409 Conflict (client error)');
    expect(row).toContain('uniqueness');
    expect(row).toContain('/scim/v2/Users');
    await checkPage();
    await screenshot(page, 'log');

    // The same view from its URL (a bookmark), and the API's 400 for a bad filter, with the form still there.
    await page.goto(page.url());
    await heading('Provisioning log of default');
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('409');
    await page.getByLabel('Or an exact status').fill('4x');
    await page.getByRole('button', { name: 'Show entries' }).click();
    await page.waitForURL(/status=4x(&|$)/);
    await page.getByRole('alert').waitFor();
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain('400 (invalidValue)');
    expect(alert).toContain('status="4x" must be an HTTP status');
    await checkPage();
  });

  it('opens the 409 entry: everything the log keeps, no bodies (and says so), the way to the user that holds the name', async () => {
    await page.goto('/console/tenants/default/log?status=409');
    await heading('Provisioning log of default');
    await page.getByRole('region', { name: /Requests of tenant default/ }).getByRole('link').first().click();
    await heading('POST /scim/v2/Users');
    const text = (await page.getByRole('main').textContent()) ?? '';
    expect(text).toContain('409 Conflict (client error)');
    expect(text).toContain('uniqueness');
    expect(text).toContain('userName "ann@contoso.com" is already in use by another resource');
    expect(text).toContain('The provisioning log keeps no request or response bodies');
    expect(text).toMatch(/Request id[\s\S]*[0-9a-f-]{36}/);
    expect(text).toContain('None: a read, or a refusal.');
    const find = page.getByRole('link', { name: 'Find the user that holds it' });
    const target = new URL((await find.getAttribute('href'))!, harness.baseUrl);
    expect(target.pathname).toBe('/console/tenants/default/users');
    expect(target.searchParams.get('filter')).toBe('userName eq "ann@contoso.com"');
    await checkPage();
    await screenshot(page, 'log-entry');

    // An id the log does not have: the gateway's 404, on a page that leads back.
    await page.goto('/console/tenants/default/log/999999');
    await heading('Entry 999999');
    expect(await page.getByRole('alert').textContent()).toContain('no entry 999999 in the provisioning log of tenant "default"');
    await checkPage();
  });

  it('filters the log by the user’s id, opens the PATCH and follows it to the user’s history: who, when, from where, the diff', async () => {
    await page.goto('/console/tenants/default/log');
    await heading('Provisioning log of default');
    await page.getByLabel('Resource type').selectOption('User');
    await page.getByLabel('Resource id').fill(ann.id);
    await page.getByRole('button', { name: 'Show entries' }).click();
    await page.waitForURL(new RegExp(`resourceId=${ann.id}`));
    await page.getByText(`Filters: resourceType User, resourceId ${ann.id}.`).waitFor();
    const rows = page.getByRole('region', { name: /Requests of tenant default/ }).getByRole('row');
    await rows.filter({ hasText: 'PATCH' }).waitFor();
    expect(await rows.count()).toBe(1 + 2); // the create (its id from Location) and the PATCH
    await rows.filter({ hasText: 'PATCH' }).getByRole('link').first().click();
    await heading(`PATCH /scim/v2/Users/${ann.id}`);
    expect(await page.getByRole('main').textContent()).toContain('200 OK (success)');
    await page.getByRole('link', { name: 'History of this user' }).click();
    await heading(`History of user ${ann.id}`);

    const updated = page.getByRole('article', { name: /UserUpdated, updated/ });
    const changes = await updated.getByRole('listitem').allTextContents();
    expect(changes).toContain('active: true → false');
    // The markup a SCIM client sent is drawn as text, never as an element.
    expect(changes).toContain(`displayName added: ${JSON.stringify(HOSTILE)}`);
    expect(await page.locator('main img').count()).toBe(0);
    const facts = (await updated.textContent()) ?? '';
    expect(facts).toMatch(/Who\s*SCIM token (“[^”]+” )?[0-9a-f-]{36}/);
    expect(facts).toContain('From');
    expect(facts).toMatch(/127\.0\.0\.1|::ffff:127\.0\.0\.1|::1/);
    const created = page.getByRole('article', { name: /UserCreated, created/ });
    expect(await created.getByRole('listitem').allTextContents()).toContain('userName added: "ann@contoso.com"');
    await checkPage();
    await screenshot(page, 'history');
  });

  it('shows the user as it was between the create and the PATCH, and the API’s answer for a time before it existed', async () => {
    const history = (await harness.gateway.admin('get', `/admin/v1/tenants/default/history/Users/${ann.id}`).expect(200)).body as { events: HistoryEvent[] };
    const [create, patch] = history.events;
    expect(Date.parse(patch!.recordedAt)).toBeGreaterThan(Date.parse(create!.recordedAt));
    // asOf includes events recorded at or before it: the create's own time is after the create, before the PATCH.
    await page.getByLabel('As it was at').fill(await localValue(create!.recordedAt));
    await page.getByRole('button', { name: 'Show it' }).click();
    await page.getByRole('heading', { name: /The user as it was at/ }).waitFor();
    const state = JSON.parse((await page.locator('section', { has: page.getByRole('heading', { name: 'The user at a past time' }) }).locator('pre').textContent())!) as Record<string, unknown>;
    expect(state).toMatchObject({ id: ann.id, userName: 'ann@contoso.com', active: true, meta: { version: 'W/"0"' } });
    expect(state['displayName']).toBeUndefined();
    expect(page.url()).toContain(`asOf=${encodeURIComponent(create!.recordedAt)}`);
    await checkPage();

    await page.getByLabel('As it was at').fill(await localValue(new Date(Date.parse(create!.recordedAt) - 86_400_000).toISOString()));
    await page.getByRole('button', { name: 'Show it' }).click();
    await page.getByRole('alert').waitFor();
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain('404');
    expect(alert).toContain(`did not exist at`);
    expect(alert).toContain(`it was created at ${create!.recordedAt}`);
    await checkPage();
  });

  it('verifies the tenant’s hash chains, offers the export (JSON lines) and looks up a group’s history', async () => {
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await heading('Audit of default');
    await page.getByRole('button', { name: 'Verify the hash chains' }).click();
    await page.getByText('Every hash chain checks out.').waitFor();
    expect(await page.getByRole('main').getByRole('status').filter({ hasText: 'Every hash chain checks out' }).textContent()).toMatch(/OK Every hash chain checks out\.\s*\d+ events in \d+ streams checked/);

    const download = page.getByRole('link', { name: 'Download default-history.jsonl' });
    expect(await download.getAttribute('download')).toBe('default-history.jsonl');
    const href = (await download.getAttribute('href'))!;
    expect(href).toBe('/admin/v1/tenants/default/export');
    // The session cookie authenticates the GET, as it does when the person clicks the link.
    const response = await harness.context.request.get(href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/x-ndjson');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { streamName: string; type: string });
    expect(lines.some((line) => line.streamName === `default.user-${ann.id}` && line.type === 'UserUpdated')).toBe(true);
    await checkPage();
    await screenshot(page, 'audit');

    await page.getByLabel('Resource type').selectOption('Groups');
    await page.getByLabel('Resource id').fill(group.id);
    await page.getByRole('button', { name: 'Show its history' }).click();
    await heading(`History of group ${group.id}`);
    const added = page.getByRole('article', { name: /GroupMembersAdded, 2 members added/ });
    expect((await added.getByRole('listitem').allTextContents()).filter((line) => line.startsWith(`members[value eq "${ann.id}"] added`))).toHaveLength(1);
    await checkPage();
  });

  it('pages through the log with Older entries, keeping the filters; lists the unauthenticated requests', async () => {
    for (let i = 0; i < 55; i++) await harness.gateway.scim('get', `/scim/v2/Users?count=1&startIndex=${i + 1}`).expect(200);
    await harness.gateway.as('not-a-token-at-all-000', 'get', '/scim/v2/Users').expect(401);
    for (let attempt = 0; ; attempt++) {
      const log = (await harness.gateway.admin('get', '/admin/v1/tenants/default/provisioning-log?status=2xx&resourceType=User&limit=1000').expect(200)).body as { entries: unknown[] };
      const refused = (await harness.gateway.admin('get', '/admin/v1/provisioning-log/unauthenticated').expect(200)).body as { entries: unknown[] };
      if (log.entries.length === 58 && refused.entries.length === 1) break; // 2 creates, the PATCH, 55 lists; one 401
      if (attempt > 100) throw new Error(`the log has ${log.entries.length} entries, ${refused.entries.length} unauthenticated`);
      await pause(50);
    }
    await page.goto('/console/tenants/default/log?status=2xx&resourceType=User');
    await page.getByText('Filters: status 2xx, resourceType User.').waitFor();
    const rows = page.getByRole('region', { name: /Requests of tenant default/ }).getByRole('row');
    expect(await rows.count()).toBe(1 + 50);
    await page.getByRole('link', { name: 'Older entries' }).click();
    await page.getByText('Filters: status 2xx, resourceType User. Older page.').waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.get('status')).toBe('2xx');
    expect(url.searchParams.get('resourceType')).toBe('User');
    expect(url.searchParams.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await rows.count()).toBe(1 + 8);
    expect(await rows.last().textContent()).toContain('201 Created (success)'); // the oldest: ann's create
    expect(await page.getByText('No older entries.').isVisible()).toBe(true);
    await checkPage();
    await page.getByRole('link', { name: 'Newest entries' }).click();
    await page.getByText('Filters: status 2xx, resourceType User.', { exact: true }).waitFor();

    await page.getByLabel('Requests of', { exact: true }).selectOption('1');
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('Resource type').selectOption('');
    await page.getByRole('button', { name: 'Show entries' }).click();
    await heading('Unauthenticated requests');
    const refused = page.getByRole('region', { name: 'Unauthenticated requests, newest first' }).getByRole('row');
    expect(await refused.count()).toBe(2);
    expect(await refused.nth(1).textContent()).toContain('401 Unauthorized (client error)');
    await checkPage();
  });

  it('reflows at 200 % zoom (640 CSS pixels): none of these pages scrolls sideways', async () => {
    const entry = ((await harness.gateway.admin('get', '/admin/v1/tenants/default/provisioning-log?status=409').expect(200)).body as { entries: { id: string }[] }).entries[0]!;
    expect(
      await pagesOverflowingAt640(page, [
        '/console/tenants/default/log?status=4xx&dryRun=false',
        `/console/tenants/default/log/${entry.id}`,
        `/console/tenants/default/history/Users/${ann.id}?asOf=${encodeURIComponent(new Date().toISOString())}`,
        `/console/tenants/default/history/Groups/${group.id}`,
        '/console/tenants/default/audit',
      ]),
    ).toEqual({});
  });

  it('says which stream broke and where when a stored event was changed, with a way to its history', async () => {
    const history = (await harness.gateway.admin('get', `/admin/v1/tenants/default/history/Users/${ann.id}`).expect(200)).body as { events: { eventId: string }[] };
    await harness.gateway.runtime.dataSource.query(`UPDATE ${EVENTS_TABLE} SET data = jsonb_set(data, '{attributes,active}', 'true') WHERE event_id = $1`, [history.events[1]!.eventId]);
    await page.goto('/console/tenants/default/audit');
    await heading('Audit of default');
    await page.getByRole('button', { name: 'Verify the hash chains' }).click();
    await page.getByText(/FAILED/).waitFor();
    const alert = (await page.getByRole('alert').textContent()) ?? '';
    expect(alert).toContain('1 problem: the history of tenant default does not check out.');
    expect(alert).toContain('hash-mismatch: 1 (the event was changed after it was recorded)');
    const problems = page.getByRole('region', { name: 'Problems' });
    const row = (await problems.getByRole('row').nth(1).textContent()) ?? '';
    expect(row).toContain(history.events[1]!.eventId);
    expect(row).toContain('recorded hash');
    await checkPage();
    await screenshot(page, 'audit-failed');
    await problems.getByRole('link', { name: `default.user-${ann.id}` }).click();
    await heading(`History of user ${ann.id}`);
  });
});
