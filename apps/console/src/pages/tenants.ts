import { h } from '../dom.js';
import { formatTime } from '../format.js';
import type { Page } from '../page.js';
import { hrefOf, type Route } from '../routes.js';
import type { TenantView } from '../tenants-ui.js';
import { badge, errorBox, field, table } from '../ui.js';

/** Every tenant (GET /admin/v1/tenants) and a form to create one (POST /admin/v1/tenants). */
export const tenantsPage: Page<Extract<Route, { name: 'tenants' }>> = async ({ api, navigate, announce }) => {
  const { tenants } = await api.get<{ tenants: TenantView[] }>('/tenants');

  const list = h(
    'section',
    { 'aria-labelledby': 'tenants-list-heading' },
    h('h2', { id: 'tenants-list-heading' }, 'All tenants'),
    table(
      'Tenants',
      ['Id', 'Display name', 'Status', 'Created'],
      tenants.map((tenant) => [
        h('a', { href: hrefOf({ name: 'tenant', tenantId: tenant.id }) }, h('code', null, tenant.id)),
        tenant.displayName ?? '—',
        tenant.status === 'active' ? badge('active', 'ok') : badge(`disabled since ${formatTime(tenant.disabledAt)}`, 'bad'),
        formatTime(tenant.createdAt),
      ]),
      'No tenants yet.',
    ),
  );

  const id = h('input', { type: 'text', name: 'id', required: true, autocomplete: 'off', spellcheck: 'false', maxlength: 63 });
  const displayName = h('input', { type: 'text', name: 'displayName', autocomplete: 'off', maxlength: 200 });
  const outcome = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Create tenant');
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'tenant-create-heading' },
    field(
      'Tenant id',
      id,
      '1 to 63 characters of a-z, 0-9 and "-", starting with a letter or a digit (e.g. contoso, fabrikam-eu). It names the tenant’s event streams and cannot be changed later.',
    ),
    field('Display name (optional)', displayName, 'For people: shown next to the id. At most 200 characters.'),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    const body: Record<string, string> = { id: id.value.trim() };
    if (displayName.value.trim() !== '') body['displayName'] = displayName.value.trim();
    api
      .send<TenantView>('POST', '/tenants', body)
      .then((tenant) => {
        announce(`Tenant ${tenant.id} created`);
        navigate(hrefOf({ name: 'tenant', tenantId: tenant.id }, { created: 1 }));
      })
      .catch((error: unknown) => {
        outcome.replaceChildren(errorBox(error, 'The tenant was not created'));
        id.focus();
      })
      .finally(() => (submit.disabled = false));
  });

  const create = h(
    'section',
    { 'aria-labelledby': 'tenant-create-heading' },
    h('h2', { id: 'tenant-create-heading' }, 'Create a tenant'),
    h('p', null, 'A tenant is one SCIM directory, typically one Entra enterprise application. Tenants are never deleted; disable one instead.'),
    outcome,
    form,
  );

  return { title: 'Tenants', body: h('div', null, list, create) };
};
