import { h } from './dom.js';
import { secretValue } from './ui.js';

/** The admin API's answers the tenant and settings pages read (docs/admin.md "Tenants", "SCIM tokens"). */
export interface TenantView {
  readonly id: string;
  readonly displayName: string | null;
  readonly status: 'active' | 'disabled';
  readonly createdAt: string;
  readonly disabledAt: string | null;
}

export interface ScimTokenView {
  readonly id: string;
  readonly tenantId: string;
  readonly label: string;
  readonly status: 'active' | 'rotated' | 'expired' | 'revoked';
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  readonly rotatedFrom: string | null;
  readonly replacedBy: string | null;
}

/** GET /admin/v1/tenants/{id}. */
export interface TenantSetupView extends TenantView {
  readonly scimBaseUrl: string;
  readonly tokenRotationGraceSeconds: number;
  readonly tokens: readonly ScimTokenView[];
}

/**
 * A new token, shown once: the value with a copy button and the warning that it cannot be shown again. `note`
 * says what else to know (e.g. how long a rotated token keeps working).
 */
export function shownOnce(heading: string, label: string, value: string, ...note: (Node | string)[]): HTMLElement {
  return h(
    'section',
    { class: 'notice success', 'aria-label': heading },
    h('h3', null, heading),
    secretValue(label, value),
    h('p', null, h('strong', null, 'Copy it now: it will not be shown again.'), ' The gateway keeps only its SHA-256; a lost token cannot be recovered, only rotated or replaced.'),
    note.length > 0 ? h('p', null, ...note) : null,
  );
}

/** The tenant's name as people read it: "Contoso Ltd (contoso)", or the id alone. */
export function tenantName(tenant: Pick<TenantView, 'id' | 'displayName'>): string {
  return tenant.displayName ? `${tenant.displayName} (${tenant.id})` : tenant.id;
}

/** A token's label, or a short form of its id when it has none. */
export function labelOf(token: { readonly label: string; readonly id: string }): string {
  return token.label !== '' ? token.label : `unlabelled ${token.id.slice(0, 8)}`;
}

/** Gives a row's button a name that says which row it acts on ("Revoke token “entra”"); the visible text starts it. */
export function withName(button: HTMLButtonElement, name: string): HTMLButtonElement {
  button.setAttribute('aria-label', name);
  return button;
}

/**
 * Shows a notice in `container`, focusable, and returns a function that moves focus to it: used when the button
 * that was pressed disappears with the change (a revoked token's row), so keyboard users are not left on the body.
 */
export function showNotice(container: HTMLElement, notice: HTMLElement): () => void {
  notice.tabIndex = -1;
  container.replaceChildren(notice);
  return () => notice.focus();
}
