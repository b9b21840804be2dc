import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import type { Page } from '../page.js';
import { hrefOf, type Route } from '../routes.js';
import { connectionTestPath, connectionTestUserName, durationWords, judgeConnectionTest, optionalDays, tokenStatusWords, userNameFilter } from '../tenant-setup.js';
import { labelOf, showNotice, shownOnce, tenantName, withName, type ScimTokenView, type TenantSetupView, type TenantView } from '../tenants-ui.js';
import { actionButton, badge, errorBox, facts, field, secretValue, successBox, table } from '../ui.js';

type IssuedToken = ScimTokenView & { readonly token: string };
type RotatedToken = IssuedToken & { readonly previous: ScimTokenView };

/**
 * A tenant's set-up as Entra asks for it (docs/console.md "Tenant set-up for Entra"): the Tenant URL, SCIM tokens
 * (created and rotated tokens shown once), Entra's connection test sent from this page to the real SCIM endpoint,
 * the dry-run URL, and disabling the tenant. Changes redraw the sections in place, so a token just shown stays on
 * the page (and in the test field) until the person leaves it; nothing is stored in the browser.
 */
export const tenantPage: Page<Extract<Route, { name: 'tenant' }>> = async ({ api, route, query, announce }) => {
  let tenant = await api.get<TenantSetupView>(`/tenants/${encodeURIComponent(route.tenantId)}`);
  const tenantPath = `/tenants/${encodeURIComponent(tenant.id)}`;

  const newToken = h('div', { 'aria-live': 'polite' });
  const tokensOutcome = h('div', { 'aria-live': 'polite' });
  const tokensTable = h('div');
  const statusBody = h('div');
  const testToken = h('input', { type: 'password', name: 'scimToken', autocomplete: 'off', spellcheck: 'false' });

  const redraw = async (): Promise<void> => {
    tenant = await api.get<TenantSetupView>(tenantPath);
    replaceChildren(tokensTable, tokenTable(tenant));
    replaceChildren(statusBody, statusView(tenant));
  };
  const afterChange = (message: string) =>
    redraw()
      .then(() => announce(message))
      .catch((error: unknown) => tokensOutcome.replaceChildren(errorBox(error, 'Cannot read the tenant again')));

  /** Shows a new token once, and puts it in the connection test's field (this page's memory only). */
  const showToken = (panel: HTMLElement, token: string) => {
    newToken.replaceChildren(panel);
    testToken.value = token;
    panel.querySelector('input')?.focus();
  };

  // ---- SCIM tokens
  const grace = h(
    'select',
    { name: 'gracePeriodSeconds' },
    h('option', { value: '' }, `the gateway’s default: ${durationWords(tenant.tokenRotationGraceSeconds)}`),
    h('option', { value: '3600' }, '1 hour'),
    h('option', { value: '86400' }, '1 day'),
    h('option', { value: '604800' }, '7 days'),
    h('option', { value: '0' }, 'none: the old token is refused at once'),
  );
  const graceSeconds = () => (grace.value === '' ? tenant.tokenRotationGraceSeconds : Number(grace.value));

  const rotate = (token: ScimTokenView) => async () => {
    const body = grace.value === '' ? {} : { gracePeriodSeconds: Number(grace.value) };
    try {
      const rotated = await api.send<RotatedToken>('POST', `${tenantPath}/tokens/${encodeURIComponent(token.id)}/rotate`, body);
      const until = rotated.previous.expiresAt;
      const left = until ? (new Date(until).getTime() - Date.now()) / 1000 : 0;
      showToken(
        shownOnce(
          `New token replacing “${labelOf(token)}”`,
          'New SCIM token',
          rotated.token,
          left > 1
            ? `The old token keeps working until ${formatTime(until)} (${durationWords(left)} from now), then it is refused: paste the new one into Entra (Secret Token) and test it before then.`
            : 'The old token is refused from now on: paste the new one into Entra (Secret Token) now.',
        ),
        rotated.token,
      );
      tokensOutcome.replaceChildren();
      await afterChange(`Token ${labelOf(token)} rotated; the new token is shown once`);
    } catch (error) {
      tokensOutcome.replaceChildren(errorBox(error, `Token “${labelOf(token)}” was not rotated`));
    }
  };

  const revoke = (token: ScimTokenView) => async () => {
    try {
      await api.send('POST', `${tenantPath}/tokens/${encodeURIComponent(token.id)}/revoke`);
      const focus = showNotice(tokensOutcome, successBox(h('p', null, `Token “${labelOf(token)}” is revoked: SCIM requests with it are refused (401).`)));
      await afterChange(`Token ${labelOf(token)} revoked`);
      focus();
    } catch (error) {
      tokensOutcome.replaceChildren(errorBox(error, `Token “${labelOf(token)}” was not revoked`));
    }
  };

  const tokenTable = (current: TenantSetupView) =>
    table(
      `SCIM tokens of ${current.id}`,
      ['Label', 'Id', 'Status', 'Created', 'Expires', 'Last used', 'Actions'],
      current.tokens.map((token) => [
        labelOf(token),
        h('code', null, token.id),
        badge(tokenStatusWords(token.status, token.expiresAt), token.status === 'active' ? 'ok' : token.status === 'rotated' ? 'warn' : 'bad'),
        formatTime(token.createdAt),
        token.expiresAt ? formatTime(token.expiresAt) : 'never',
        token.lastUsedAt ? formatTime(token.lastUsedAt) : 'not used yet',
        h(
          'div',
          { class: 'actions' },
          token.status === 'active'
            ? withName(
                actionButton('Rotate', rotate(token), {
                  confirm: `Rotate token “${labelOf(token)}”? A new token is created and shown once; the old one keeps working for ${durationWords(graceSeconds())}, then it is refused.`,
                }),
                `Rotate token “${labelOf(token)}” (${token.id.slice(0, 8)})`,
              )
            : null,
          token.status === 'active' || token.status === 'rotated'
            ? withName(
                actionButton('Revoke', revoke(token), {
                  tone: 'danger',
                  confirm: `Revoke token “${labelOf(token)}”? Every SCIM request with it is refused (401) from now on (other gateway processes within 5 s). This cannot be undone.`,
                }),
                `Revoke token “${labelOf(token)}” (${token.id.slice(0, 8)})`,
              )
            : null,
        ),
      ]),
      'No SCIM token yet: create one below and give it to Entra as the Secret Token.',
    );
  tokensTable.append(tokenTable(tenant));
  // The rotate buttons' confirmations say how long the old token keeps working: the grace period chosen now.
  grace.addEventListener('change', () => replaceChildren(tokensTable, tokenTable(tenant)));

  const label = h('input', { type: 'text', name: 'label', autocomplete: 'off', maxlength: 200 });
  const days = h('input', { type: 'text', name: 'expiresInDays', inputmode: 'numeric', autocomplete: 'off', maxlength: 4 });
  const create = h('button', { type: 'submit' }, 'Create token');
  const createForm = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'token-create-heading' },
    field('Label', label, 'For people, e.g. entra-prod (at most 200 characters).'),
    field('Expires in days (optional)', days, '1 to 3650; empty: the token does not expire.'),
    h('div', { class: 'actions' }, create),
  );
  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const expiry = optionalDays(days.value);
    if (!expiry.ok) {
      tokensOutcome.replaceChildren(h('div', { class: 'notice error', role: 'alert' }, h('p', null, expiry.message)));
      days.focus();
      return;
    }
    create.disabled = true;
    const body: Record<string, unknown> = {};
    if (label.value.trim() !== '') body['label'] = label.value.trim();
    if (expiry.days !== undefined) body['expiresInDays'] = expiry.days;
    api
      .send<IssuedToken>('POST', `${tenantPath}/tokens`, body)
      .then(async (issued) => {
        label.value = '';
        days.value = '';
        tokensOutcome.replaceChildren();
        showToken(
          shownOnce(
            `New token “${labelOf(issued)}”`,
            'New SCIM token',
            issued.token,
            issued.expiresAt ? `It expires at ${formatTime(issued.expiresAt)}. ` : 'It does not expire. ',
            'Paste it into Entra as the Secret Token, then use Test connection below.',
          ),
          issued.token,
        );
        await afterChange(`Token ${labelOf(issued)} created; it is shown once`);
      })
      .catch((error: unknown) => tokensOutcome.replaceChildren(errorBox(error, 'The token was not created')))
      .finally(() => (create.disabled = false));
  });

  const tokensSection = h(
    'section',
    { 'aria-labelledby': 'tokens-heading' },
    h('h2', { id: 'tokens-heading' }, 'SCIM tokens'),
    h(
      'p',
      null,
      'Entra’s Secret Token. A token is shown once, when it is created or rotated; the gateway stores only its hash. “Last used” is recorded at most once a minute per token and gateway process, so it can be up to a minute behind.',
    ),
    newToken,
    tokensOutcome,
    field(
      'Grace period when rotating',
      grace,
      'How long a rotated token keeps working next to its replacement, so Entra can be given the new one without a failed cycle. Choose none if the old token leaked.',
    ),
    tokensTable,
    h('h3', { id: 'token-create-heading' }, 'Create a token'),
    createForm,
  );

  // ---- Test connection
  const testOutcome = h('div', { 'aria-live': 'polite' });
  const testButton = h('button', { type: 'submit' }, 'Test connection');
  const testForm = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'test-heading' },
    field(
      'SCIM token to test',
      testToken,
      'Filled in when you have just created or rotated a token on this page; otherwise paste the token Entra has. It is kept in this page only, sent only to this gateway’s SCIM endpoint, and forgotten when you leave.',
    ),
    h('div', { class: 'actions' }, testButton),
  );
  testForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (testToken.value.trim() === '') {
      testOutcome.replaceChildren(h('div', { class: 'notice error', role: 'alert' }, h('p', null, 'Enter the SCIM token to test (create one above if you have none).')));
      testToken.focus();
      return;
    }
    testButton.disabled = true;
    void runConnectionTest(testToken.value.trim())
      .then((view) => testOutcome.replaceChildren(view))
      .finally(() => (testButton.disabled = false));
  });
  const testSection = h(
    'section',
    { 'aria-labelledby': 'test-heading' },
    h('h2', { id: 'test-heading' }, 'Test connection'),
    h(
      'p',
      null,
      'Sends Entra’s own test from this page to the real SCIM endpoint: ',
      h('code', null, 'GET /scim/v2/Users?filter=userName eq "<random>"'),
      ' with the token as Bearer. It passes when the gateway answers 200 with no user. The request is recorded in the provisioning log like Entra’s.',
    ),
    testForm,
    testOutcome,
  );

  // ---- Connect Entra, dry-run, status
  const entraSection = h(
    'section',
    { 'aria-labelledby': 'entra-heading' },
    h('h2', { id: 'entra-heading' }, 'Connect Microsoft Entra ID'),
    h(
      'ol',
      null,
      h('li', null, 'In the Entra admin center: Enterprise applications → your application → Provisioning → Provisioning Mode: Automatic.'),
      h('li', null, 'Admin Credentials → Tenant URL: paste the URL below.'),
      h('li', null, 'Secret Token: create a token below and paste it (it is shown once).'),
      h('li', null, 'Test Connection in Entra (or below, which sends the same request), then Save.'),
    ),
    secretValue('Tenant URL', tenant.scimBaseUrl),
    h('p', { class: 'hint' }, 'The same URL serves every tenant: the token tells the gateway which tenant a request is for. It comes from the gateway’s PUBLIC_BASE_URL.'),
  );

  const dryRunUrl = `${tenant.scimBaseUrl}/dry-run`;
  const dryRunSection = h(
    'section',
    { 'aria-labelledby': 'dry-run-heading' },
    h('h2', { id: 'dry-run-heading' }, 'Dry-run URL'),
    secretValue('Dry-run Tenant URL', dryRunUrl),
    h(
      'p',
      null,
      'To rehearse before going live, give Entra this URL instead of the Tenant URL, with the same token, and run “Provision on demand” or a cycle. Every request is validated and answered exactly as the live one would be (with the header ',
      h('code', null, 'X-Scim-Dry-Run: true'),
      '), but nothing is stored, projected or published to Kafka; reads see the live data. Each dry-run request is recorded in the ',
      h('a', { href: hrefOf({ name: 'log', tenantId: tenant.id }) }, 'provisioning log'),
      ', marked dry-run, with the events it would have written. Switch Entra to the Tenant URL to go live.',
    ),
  );

  const statusOutcome = h('div', { 'aria-live': 'polite' });
  const setStatus = (action: 'disable' | 'enable') => async () => {
    try {
      await api.send<TenantView>('POST', `${tenantPath}/${action}`);
      statusOutcome.replaceChildren();
      await redraw();
      // The button pressed is replaced by its opposite (Disable ↔ Enable): keep the keyboard there.
      statusBody.querySelector('button')?.focus();
      announce(action === 'disable' ? `Tenant ${tenant.id} disabled` : `Tenant ${tenant.id} enabled`);
    } catch (error) {
      statusOutcome.replaceChildren(errorBox(error, `The tenant was not ${action}d`));
    }
  };
  const statusView = (current: TenantSetupView) =>
    h(
      'div',
      null,
      facts([
        ['Status', current.status === 'active' ? badge('active', 'ok') : badge('disabled', 'bad')],
        ['Created', formatTime(current.createdAt)],
        ...(current.disabledAt ? [['Disabled since', formatTime(current.disabledAt)] as const] : []),
      ]),
      current.status === 'active'
        ? h('p', null, 'SCIM requests with this tenant’s tokens are accepted.')
        : h('p', null, h('strong', null, 'Every SCIM request with this tenant’s tokens is refused (401) while it is disabled.'), ' Its users, groups and history stay; enabling it makes its unrevoked, unexpired tokens work again.'),
      h(
        'div',
        { class: 'actions' },
        current.status === 'active'
          ? actionButton('Disable tenant', setStatus('disable'), {
              tone: 'danger',
              confirm: `Disable tenant ${current.id}? Every SCIM request with any of its tokens will be refused (401) until you enable it again (other gateway processes within 5 s); an Entra job pointed at it fails and may be quarantined. Its data stays.`,
            })
          : actionButton('Enable tenant', setStatus('enable')),
      ),
    );
  statusBody.append(statusView(tenant));
  const statusSection = h('section', { 'aria-labelledby': 'status-heading' }, h('h2', { id: 'status-heading' }, 'Tenant status'), statusOutcome, statusBody);

  return {
    title: `Tenant ${tenantName(tenant)}`,
    body: h(
      'div',
      null,
      query.has('created') ? successBox(h('p', null, `Tenant ${tenant.id} created. Next: create a SCIM token and give Entra the Tenant URL and the token.`)) : null,
      entraSection,
      tokensSection,
      testSection,
      dryRunSection,
      statusSection,
    ),
  };
};

/**
 * Entra's test, sent by the browser to this origin's SCIM endpoint; the token goes in the header and nowhere else.
 * A plain fetch, not the admin client: no session cookie goes with it (credentials omitted), and a SCIM 401 is the
 * test's result, not the end of the console session.
 */
async function runConnectionTest(token: string): Promise<HTMLElement> {
  const userName = connectionTestUserName(crypto.randomUUID());
  const path = connectionTestPath(userName);
  const started = performance.now();
  let status: number;
  let body: unknown;
  try {
    const response = await fetch(path, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/scim+json' },
      credentials: 'omit',
      cache: 'no-store',
    });
    status = response.status;
    const text = await response.text();
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = text;
    }
  } catch (error) {
    return h('div', { class: 'notice error', role: 'alert' }, h('p', null, h('strong', null, 'Failed: '), `no answer from the gateway (${error instanceof Error ? error.message : String(error)}).`));
  }
  const took = `${Math.round(performance.now() - started)} ms`;
  const outcome = judgeConnectionTest(status, body);
  const details = facts([
    ['Request', h('code', null, `GET ${path}`)],
    ['Filter', h('code', null, userNameFilter(userName))],
    ['Status', String(outcome.status)],
    ...(outcome.scimType ? [['scimType', outcome.scimType] as const] : []),
    ...(outcome.detail ? [['Detail', outcome.detail] as const] : []),
    ['Time', took],
  ]);
  return outcome.passed
    ? h('div', { class: 'notice success', role: 'status' }, h('p', null, h('strong', null, outcome.summary)), details)
    : h('div', { class: 'notice error', role: 'alert' }, h('p', null, h('strong', null, outcome.summary)), details);
}
