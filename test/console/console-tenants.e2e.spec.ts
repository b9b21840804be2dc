/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../support/test-gateway.js';
import { browserAvailable, problemsOf, screenshot, seriousAccessibilityViolations, signIn, startConsoleHarness, type ConsoleHarness } from './browser.js';

const run = browserAvailable() ? describe : describe.skip;

/** The Tenant URL the console must show: the API's, from PUBLIC_BASE_URL, not the address the browser used. */
const PUBLIC_BASE_URL = 'http://scim.example.test:8443';
const BADGE_URN = 'urn:example:params:scim:schemas:extension:badge:2.0:User';

run('console: tenants, set-up for Entra, admin tokens and extension schemas (real Chromium)', () => {
  let harness: ConsoleHarness;
  let page: Page;
  const dialogs: string[] = [];
  let firstToken = '';
  let rotatedToken = '';

  beforeAll(async () => {
    harness = await startConsoleHarness({ PUBLIC_BASE_URL, TOKEN_ROTATION_GRACE_SECONDS: '7200' });
    page = await harness.newPage();
    // Every confirm() is accepted, and recorded so a test can check what the person was asked.
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await signIn(page);
  });
  afterAll(async () => {
    await harness?.close();
  });

  const scimStatus = async (token: string, path = '/scim/v2/Users') =>
    (await fetch(`${harness.baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } })).status;
  const alertText = async () => (await page.getByRole('alert').first().textContent()) ?? '';
  const checkPage = async (name: string) => {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await problemsOf(page)).toEqual([]);
    await screenshot(page, name);
  };
  const focusedText = async () => (await page.evaluate(() => document.activeElement?.textContent ?? '')) ?? '';
  const tenantTokens = async (tenantId: string) =>
    ((await harness.gateway.admin('get', `/admin/v1/tenants/${tenantId}`).expect(200)).body as { tokens: { id: string; status: string }[] }).tokens;
  const testConnection = async () => {
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('section[aria-labelledby="test-heading"] .notice').waitFor();
    return (await page.locator('section[aria-labelledby="test-heading"] .notice').textContent()) ?? '';
  };

  it('lists tenants and creates one; the API\'s 400 and 409 are shown as it words them', async () => {
    await page.getByRole('link', { name: 'Tenants', exact: true }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    expect(await page.getByRole('table', { name: 'Tenants' }).textContent()).toContain('default');

    await page.getByLabel('Tenant id').fill('Contoso.EU');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain('400 (invalidValue)');
    expect(await alertText()).toContain('tenant id "Contoso.EU" is not valid: 1 to 63 characters of a-z, 0-9 and "-"');

    await page.getByLabel('Tenant id').fill('default');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByText('tenant "default" already exists').waitFor();
    expect(await alertText()).toContain('409 (uniqueness)');
    await checkPage('tenants');

    await page.getByLabel('Tenant id').fill('contoso');
    await page.getByLabel('Display name (optional)').fill('Contoso Ltd');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('heading', { name: 'Tenant Contoso Ltd (contoso)', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/tenants/contoso');
    expect(await page.getByText('Tenant contoso created.').isVisible()).toBe(true);
  });

  it('shows the Tenant URL and dry-run URL from PUBLIC_BASE_URL, issues a token once, and the token works over SCIM', async () => {
    expect(await page.getByLabel('Tenant URL', { exact: true }).inputValue()).toBe(`${PUBLIC_BASE_URL}/scim/v2`);
    expect(await page.getByLabel('Dry-run Tenant URL').inputValue()).toBe(`${PUBLIC_BASE_URL}/scim/v2/dry-run`);
    expect(await page.getByText('nothing is stored, projected or published to Kafka').isVisible()).toBe(true);
    expect(await page.getByText('No SCIM token yet').isVisible()).toBe(true);

    await page.getByLabel('Label').fill('entra-prod');
    await page.getByLabel('Expires in days (optional)').fill('soon');
    await page.getByRole('button', { name: 'Create token' }).click();
    expect(await alertText()).toContain('is not a number of days from 1 to 3650');
    expect(await tenantTokens('contoso')).toEqual([]);

    await page.getByLabel('Expires in days (optional)').fill('365');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel('New SCIM token', { exact: true });
    await shown.waitFor();
    firstToken = await shown.inputValue();
    expect(firstToken).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByText('it will not be shown again').isVisible()).toBe(true);
    const table = page.getByRole('table', { name: 'SCIM tokens of contoso' });
    await table.getByText('entra-prod').waitFor();
    expect(await table.textContent()).toContain('not used yet');
    expect(await scimStatus(firstToken)).toBe(200);

    // The copy button puts it on the clipboard.
    await page.getByRole('button', { name: 'Copy new SCIM token' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(firstToken);
    // Nothing of it in browser storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toContain(firstToken);
  });

  it('tests the connection as Entra does: passes with the new token (pre-filled), fails with 401 for a wrong one', async () => {
    const field = page.getByLabel('SCIM token to test');
    expect(await field.getAttribute('type')).toBe('password');
    expect(await field.inputValue()).toBe(firstToken);
    const passed = await testConnection();
    expect(passed).toContain('Passed: the gateway accepted the token and answered 200 with no user');
    expect(passed).toMatch(/GET \/scim\/v2\/Users\?filter=userName%20eq%20%22console-connection-test-[0-9a-f-]{36}%40example\.invalid%22/);
    expect(passed).toMatch(/Filter\s*userName eq "console-connection-test-[0-9a-f-]{36}@example\.invalid"/);
    expect(passed).toMatch(/Time\s*\d+ ms/);
    await checkPage('tenant-setup');

    await field.fill('scim_not-a-token-of-this-gateway-at-all-000000');
    const failed = await testConnection();
    expect(failed).toContain('Failed: 401, the token was refused');
    expect(failed).toMatch(/Status\s*401/);
    expect(await page.getByRole('alert').count()).toBeGreaterThan(0);
    // The request went to the real SCIM endpoint: the provisioning log has the pass with the token that was created
    // (entries are written in batches, every 250 ms).
    const [token] = await tenantTokens('contoso');
    let tested: { tokenId: string; status: number; query: string }[] = [];
    for (let attempt = 0; attempt < 20 && tested.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const log = (await harness.gateway.admin('get', '/admin/v1/tenants/contoso/provisioning-log').expect(200)).body as { entries: { tokenId: string; status: number; query: string | null }[] };
      tested = log.entries.filter((entry): entry is { tokenId: string; status: number; query: string } => entry.query?.includes('console-connection-test-') ?? false);
    }
    expect(tested).toEqual([expect.objectContaining({ tokenId: token!.id, status: 200 })]);
  });

  it('rotates with the grace period chosen (the old token keeps working, the new one works), then revokes the old one (401)', async () => {
    expect(await page.getByLabel('Grace period when rotating').textContent()).toContain('the gateway’s default: 2 hours');
    await page.getByLabel('Grace period when rotating').selectOption({ label: '1 hour' });
    await page.getByRole('button', { name: /^Rotate token “entra-prod”/ }).click();
    expect(dialogs.at(-1)).toContain('the old one keeps working for 1 hour');
    await page.getByRole('heading', { name: 'New token replacing “entra-prod”' }).waitFor();
    rotatedToken = await page.getByLabel('New SCIM token', { exact: true }).inputValue();
    expect(rotatedToken).not.toBe(firstToken);
    expect(await page.getByText(/The old token keeps working until .* \(59 minutes 5\d seconds from now\)|\(1 hour from now\)/).count()).toBe(1);
    expect(await page.getByLabel('SCIM token to test').inputValue()).toBe(rotatedToken);
    expect(await scimStatus(firstToken)).toBe(200);
    expect(await scimStatus(rotatedToken)).toBe(200);
    const table = page.getByRole('table', { name: 'SCIM tokens of contoso' });
    await table.getByText('rotated: still works until its grace period ends').waitFor();

    const [old] = await tenantTokens('contoso');
    expect(old!.status).toBe('rotated');
    await page.getByRole('button', { name: `Revoke token “entra-prod” (${old!.id.slice(0, 8)})` }).click();
    expect(dialogs.at(-1)).toContain('This cannot be undone');
    await table.getByText('revoked: refused').waitFor();
    // The pressed button went with the change: the keyboard lands on the outcome, not on the page's body.
    expect(await focusedText()).toContain('Token “entra-prod” is revoked');
    expect(await scimStatus(firstToken)).toBe(401);
    expect(await scimStatus(rotatedToken)).toBe(200);
    expect(await problemsOf(page)).toEqual([]);
  });

  it('disables the tenant after a confirm (SCIM refused, the test fails with 401) and enables it again', async () => {
    await page.getByRole('button', { name: 'Disable tenant' }).click();
    expect(dialogs.at(-1)).toContain('will be refused (401) until you enable it again');
    await page.getByText('Every SCIM request with this tenant’s tokens is refused (401) while it is disabled.').waitFor();
    expect(await focusedText()).toBe('Enable tenant');
    expect(await scimStatus(rotatedToken)).toBe(401);
    expect(await testConnection()).toContain('Failed: 401');

    await page.getByRole('button', { name: 'Enable tenant' }).click();
    await page.getByText('SCIM requests with this tenant’s tokens are accepted.').waitFor();
    expect(await scimStatus(rotatedToken)).toBe(200);
    expect(await testConnection()).toContain('Passed');
    expect(await problemsOf(page)).toEqual([]);
  });

  it('admin tokens: creates one shown once (it opens the admin API), revokes it, and shows the API\'s 409 for the last active one', async () => {
    await page.getByRole('link', { name: 'Admin tokens', exact: true }).click();
    await page.getByRole('heading', { name: 'Admin tokens', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Admin tokens' });
    expect(await table.textContent()).toContain('(this session)');

    await page.getByLabel('Label').fill('bob');
    await page.getByRole('button', { name: 'Create admin token' }).click();
    const shown = page.getByLabel('New admin token', { exact: true });
    await shown.waitFor();
    const bob = await shown.inputValue();
    expect(bob).toMatch(/^admin_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByText('it will not be shown again').isVisible()).toBe(true);
    const adminStatus = async (token: string) => (await fetch(`${harness.baseUrl}/admin/v1/tenants`, { headers: { Authorization: `Bearer ${token}` } })).status;
    expect(await adminStatus(bob)).toBe(200);
    await table.getByText('bob').waitFor();
    await checkPage('admin-tokens');

    await page.getByRole('button', { name: 'Revoke admin token “bob”' }).click();
    expect(dialogs.at(-1)).toContain('Revoke admin token “bob”?');
    await page.getByText('Admin token “bob” is revoked').waitFor();
    expect(await adminStatus(bob)).toBe(401);

    // The session's own token is now the last active one: the API refuses, and the page shows its words.
    await page.getByRole('button', { name: 'Revoke admin token “ADMIN_TOKEN”' }).click();
    expect(dialogs.at(-1)).toContain('the session ends');
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain('409');
    expect(await alertText()).toMatch(/admin token [0-9a-f-]{36} is the last active one; create another admin token first, then revoke this one/);
    expect(await adminStatus(TEST_ADMIN_TOKEN)).toBe(200);
    expect(await problemsOf(page)).toEqual([]);
  });

  it('extension schemas: refuses bad JSON before sending, adds one, shows the API\'s validation message verbatim, deletes', async () => {
    await page.goto('/console/tenants/contoso');
    await page.getByRole('link', { name: 'Extension schemas' }).click();
    await page.getByRole('heading', { name: 'Extension schemas of contoso', level: 1 }).waitFor();
    expect(await page.getByText('This tenant has no extension schemas of its own').isVisible()).toBe(true);
    const definition = page.getByLabel('Schema definition (JSON)');

    await definition.fill('{"resourceType": "User",');
    await page.getByRole('button', { name: 'Add or replace schema' }).click();
    expect(await alertText()).toContain('This is not valid JSON, nothing was sent');
    expect(await definition.getAttribute('aria-invalid')).toBe('true');

    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await page.getByRole('button', { name: 'Add or replace schema' }).click();
    const table = page.getByRole('table', { name: 'Extension schemas of tenant contoso' });
    await table.waitFor();
    const row = (await table.locator('tbody tr').first().textContent()) ?? '';
    for (const cell of ['User', BADGE_URN, 'Badge', 'optional', '2']) expect(row).toContain(cell);
    expect(await page.getByText(`Schema ${BADGE_URN} (User) saved`).isVisible()).toBe(true);
    // Served by the tenant's own /Schemas.
    const schemas = (await (await fetch(`${harness.baseUrl}/scim/v2/Schemas`, { headers: { Authorization: `Bearer ${rotatedToken}` } })).json()) as { Resources: { id: string }[] };
    expect(schemas.Resources.map((schema) => schema.id)).toContain(BADGE_URN);
    // Its JSON, as stored.
    await page.getByText(`JSON of the User schema ${BADGE_URN}`).click();
    expect(await page.locator('details[open] pre').textContent()).toContain('"badgeNumber"');

    const invalid = { resourceType: 'User', schema: { id: 'urn:example:params:scim:schemas:extension:bad:2.0:User', name: 'Bad', attributes: [{ name: 'x', type: 'strin' }] } };
    const apiWords = ((await harness.gateway.admin('put', '/admin/v1/tenants/contoso/schemas', invalid).expect(400)).body as { detail: string }).detail;
    await definition.fill(JSON.stringify(invalid));
    await page.getByRole('button', { name: 'Add or replace schema' }).click();
    await page.getByText(apiWords, { exact: true }).waitFor();
    expect(await alertText()).toContain('400 (invalidValue)');
    expect(apiWords).toContain('body.schema.attributes[0].type');
    await checkPage('schemas');

    await page.getByRole('button', { name: `Delete User schema ${BADGE_URN}` }).click();
    expect(dialogs.at(-1)).toContain(`Delete the User schema ${BADGE_URN} of tenant contoso?`);
    await page.getByText('This tenant has no extension schemas of its own').waitFor();
    expect(((await harness.gateway.admin('get', '/admin/v1/tenants/contoso/schemas').expect(200)).body as { schemas: unknown[] }).schemas).toEqual([]);
    expect(await problemsOf(page)).toEqual([]);
  });
});
