import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import type { Page } from '../page.js';
import type { Route } from '../routes.js';
import { labelOf, showNotice, shownOnce, withName } from '../tenants-ui.js';
import { actionButton, badge, errorBox, field, successBox, table } from '../ui.js';

interface AdminTokenView {
  readonly id: string;
  readonly label: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/**
 * The admin API's own tokens (docs/admin.md "Admin tokens"): GET, POST /admin/v1/admin-tokens and
 * POST /admin/v1/admin-tokens/{id}/revoke. A new token is shown once; the list redraws in place so it stays.
 */
export const adminTokensPage: Page<Extract<Route, { name: 'admin-tokens' }>> = async ({ api, session, announce }) => {
  const listed = h('div');
  const outcome = h('div', { 'aria-live': 'polite' });
  const newToken = h('div', { 'aria-live': 'polite' });

  const revoke = (token: AdminTokenView) => async () => {
    try {
      await api.send<AdminTokenView>('POST', `/admin-tokens/${encodeURIComponent(token.id)}/revoke`);
      const focus = showNotice(outcome, successBox(h('p', null, `Admin token “${labelOf(token)}” is revoked: the admin API refuses it (401) from now on.`)));
      await redraw();
      focus();
      announce(`Admin token ${labelOf(token)} revoked`);
    } catch (error) {
      outcome.replaceChildren(errorBox(error, `Admin token “${labelOf(token)}” was not revoked`));
    }
  };

  const tokenTable = (tokens: readonly AdminTokenView[]) =>
    table(
      'Admin tokens',
      ['Label', 'Id', 'Status', 'Created', 'Revoked', 'Actions'],
      tokens.map((token) => [
        [labelOf(token), token.id === session.adminTokenId ? h('span', { class: 'hint' }, ' (this session)') : null],
        h('code', null, token.id),
        token.status === 'active' ? badge('active', 'ok') : badge('revoked', 'bad'),
        formatTime(token.createdAt),
        token.revokedAt ? formatTime(token.revokedAt) : '—',
        token.status === 'active'
          ? withName(
              actionButton('Revoke', revoke(token), {
                tone: 'danger',
                confirm:
                  token.id === session.adminTokenId
                    ? `Revoke admin token “${labelOf(token)}”? It is the token this session signed in with: the session ends and you must sign in with another admin token.`
                    : `Revoke admin token “${labelOf(token)}”? The admin API and every console session signed in with it refuse it from now on. This cannot be undone.`,
              }),
              `Revoke admin token “${labelOf(token)}”`,
            )
          : null,
      ]),
      'No admin tokens.',
    );

  const redraw = async () => {
    const { tokens } = await api.get<{ tokens: AdminTokenView[] }>('/admin-tokens');
    replaceChildren(listed, tokenTable(tokens));
  };
  await redraw();

  const label = h('input', { type: 'text', name: 'label', autocomplete: 'off', maxlength: 200 });
  const submit = h('button', { type: 'submit' }, 'Create admin token');
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'admin-token-create-heading' },
    field('Label', label, 'Who or what uses it, e.g. alice or deploy-pipeline (at most 200 characters). One token per operator or automation, so one can be revoked alone.'),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    const body = label.value.trim() === '' ? {} : { label: label.value.trim() };
    api
      .send<AdminTokenView & { token: string }>('POST', '/admin-tokens', body)
      .then(async (issued) => {
        label.value = '';
        outcome.replaceChildren();
        const panel = shownOnce(`New admin token “${labelOf(issued)}”`, 'New admin token', issued.token, 'Give it to its operator (for this console, the CLI’s ADMIN_TOKEN or curl) through your secret store.');
        newToken.replaceChildren(panel);
        panel.querySelector('input')?.focus();
        await redraw();
        announce(`Admin token ${labelOf(issued)} created; it is shown once`);
      })
      .catch((error: unknown) => outcome.replaceChildren(errorBox(error, 'The admin token was not created')))
      .finally(() => (submit.disabled = false));
  });

  return {
    title: 'Admin tokens',
    body: h(
      'div',
      null,
      h(
        'p',
        null,
        'Admin tokens open this console and the admin API (CLI, curl); they are separate from every tenant’s SCIM tokens. The last active admin token cannot be revoked: create its replacement first.',
      ),
      newToken,
      outcome,
      h('section', { 'aria-labelledby': 'admin-tokens-heading' }, h('h2', { id: 'admin-tokens-heading' }, 'Tokens'), listed),
      h('section', { 'aria-labelledby': 'admin-token-create-heading' }, h('h2', { id: 'admin-token-create-heading' }, 'Create an admin token'), form),
    ),
  };
};
