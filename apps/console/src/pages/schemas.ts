import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import type { Page } from '../page.js';
import type { Route } from '../routes.js';
import { EXAMPLE_SCHEMA, parseJsonObject, registrationOf } from '../tenant-setup.js';
import { showNotice, withName } from '../tenants-ui.js';
import { actionButton, errorBox, field, json, successBox, table } from '../ui.js';

interface TenantSchema {
  readonly tenantId: string;
  readonly resourceType: string;
  readonly schema: { readonly id: string; readonly name?: string; readonly description?: string; readonly attributes?: readonly unknown[] };
  readonly required: boolean;
  readonly updatedAt: string;
}

/**
 * A tenant's own extension schemas (docs/admin.md "Tenant schemas"): GET, PUT /admin/v1/tenants/{id}/schemas and
 * DELETE .../schemas/{resourceType}/{urn}. The gateway validates a definition; its messages are shown as it words
 * them. Text that is not a JSON object is caught here, before anything is sent.
 */
export const schemasPage: Page<Extract<Route, { name: 'schemas' }>> = async ({ api, route, announce }) => {
  const base = `/tenants/${encodeURIComponent(route.tenantId)}/schemas`;
  const listed = h('div');
  const outcome = h('div', { 'aria-live': 'polite' });
  const definition = h('textarea', { name: 'definition', rows: 16, cols: 80, spellcheck: 'false', autocomplete: 'off' });

  const remove = (schema: TenantSchema) => async () => {
    try {
      await api.send('DELETE', `${base}/${encodeURIComponent(schema.resourceType)}/${encodeURIComponent(schema.schema.id)}`);
      const focus = showNotice(outcome, successBox(h('p', null, `Schema ${schema.schema.id} (${schema.resourceType}) deleted. Values already stored stay in the resources and their history.`)));
      await redraw();
      focus();
      announce(`Schema ${schema.schema.id} deleted`);
    } catch (error) {
      outcome.replaceChildren(errorBox(error, `Schema ${schema.schema.id} was not deleted`));
    }
  };

  const edit = (schema: TenantSchema) => () => {
    definition.value = registrationOf(schema);
    definition.removeAttribute('aria-invalid');
    definition.focus();
  };

  const view = (schemas: readonly TenantSchema[]) =>
    h(
      'div',
      null,
      table(
        `Extension schemas of tenant ${route.tenantId}`,
        ['Resource type', 'Schema id', 'Name', 'Required', 'Attributes', 'Updated', 'Actions'],
        schemas.map((schema) => [
          schema.resourceType,
          h('code', null, schema.schema.id),
          schema.schema.name ?? '—',
          schema.required ? 'required' : 'optional',
          String(schema.schema.attributes?.length ?? 0),
          formatTime(schema.updatedAt),
          h(
            'div',
            { class: 'actions' },
            withName(h('button', { type: 'button', class: 'secondary', onclick: edit(schema) }, 'Edit'), `Edit ${schema.resourceType} schema ${schema.schema.id}`),
            withName(
              actionButton('Delete', remove(schema), {
                tone: 'danger',
                confirm: `Delete the ${schema.resourceType} schema ${schema.schema.id} of tenant ${route.tenantId}? Its requests are no longer validated against it; values already stored stay as they are.`,
              }),
              `Delete ${schema.resourceType} schema ${schema.schema.id}`,
            ),
          ),
        ]),
        'This tenant has no extension schemas of its own (it still has the core ones, EnterpriseUser and those of SCIM_EXTENSIONS_FILE).',
      ),
      schemas.length > 0
        ? h(
            'div',
            null,
            h('h3', null, 'Definitions'),
            schemas.map((schema) =>
              h('details', null, h('summary', null, `JSON of the ${schema.resourceType} schema ${schema.schema.id}`), json({ resourceType: schema.resourceType, required: schema.required, schema: schema.schema })),
            ),
          )
        : null,
    );

  const redraw = async () => {
    const { schemas } = await api.get<{ schemas: TenantSchema[] }>(base);
    replaceChildren(listed, view(schemas));
  };
  await redraw();

  const save = h('button', { type: 'submit' }, 'Add or replace schema');
  const example = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        definition.value = EXAMPLE_SCHEMA;
        definition.removeAttribute('aria-invalid');
        definition.focus();
      },
    },
    'Fill in an example',
  );
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'schema-put-heading' },
    field(
      'Schema definition (JSON)',
      definition,
      'One object: "resourceType" (User or Group), optional "required" (true: every request must carry it), and "schema" with its "id" (a URN), "name" and "attributes". A schema with the same resource type and URN is replaced.',
    ),
    h('div', { class: 'actions' }, save, example),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = parseJsonObject(definition.value);
    if (!parsed.ok) {
      definition.setAttribute('aria-invalid', 'true');
      outcome.replaceChildren(h('div', { class: 'notice error', role: 'alert' }, h('p', null, parsed.message)));
      definition.focus();
      return;
    }
    definition.removeAttribute('aria-invalid');
    save.disabled = true;
    api
      .send<TenantSchema>('PUT', base, parsed.value)
      .then(async (saved) => {
        outcome.replaceChildren(successBox(h('p', null, `Schema ${saved.schema.id} (${saved.resourceType}) saved: this tenant’s requests are validated against it from now on.`)));
        await redraw();
        announce(`Schema ${saved.schema.id} saved`);
      })
      .catch((error: unknown) => {
        definition.setAttribute('aria-invalid', 'true');
        outcome.replaceChildren(errorBox(error, 'The gateway refused the schema'));
      })
      .finally(() => (save.disabled = false));
  });

  return {
    title: `Extension schemas of ${route.tenantId}`,
    body: h(
      'div',
      null,
      h(
        'p',
        null,
        'Schemas of this tenant only: served by its /Schemas and /ResourceTypes, enforced on its requests, usable in its filters. Other gateway processes apply a change within 5 seconds.',
      ),
      outcome,
      h('section', { 'aria-labelledby': 'schemas-heading' }, h('h2', { id: 'schemas-heading' }, 'Schemas'), listed),
      h('section', { 'aria-labelledby': 'schema-put-heading' }, h('h2', { id: 'schema-put-heading' }, 'Add or replace a schema'), form),
    ),
  };
};
