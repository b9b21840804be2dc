import { ApiError } from './api.js';
import { h, uid, type Child } from './dom.js';
import { formatCount, pageWindow } from './format.js';

/** A labelled form field: `<label for>` + control, with an optional hint read out with it (aria-describedby). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  const id = control.id || uid('field');
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

/** An error as a person reads it: what happened (status, scimType) and the gateway's own detail. */
export function errorBox(error: unknown, context?: string): HTMLElement {
  const heading = context ?? 'That did not work';
  if (error instanceof ApiError) {
    return h(
      'div',
      { class: 'notice error', role: 'alert' },
      h('p', null, h('strong', null, `${heading}: `), `${error.status}${error.scimType ? ` (${error.scimType})` : ''}`),
      h('p', { class: 'detail' }, error.detail),
      error.retryAfter ? h('p', null, `Try again in ${error.retryAfter} s.`) : null,
    );
  }
  return h('div', { class: 'notice error', role: 'alert' }, h('p', null, h('strong', null, `${heading}: `), error instanceof Error ? error.message : String(error)));
}

/** A success message (text, an icon-free badge: never colour alone). */
export function successBox(...children: Child[]): HTMLElement {
  return h('div', { class: 'notice success', role: 'status' }, ...children);
}

/** A table with a caption (what it lists) and column headers. */
export function table(caption: string, headers: readonly string[], rows: readonly (readonly Child[])[], empty = 'Nothing to show.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 },
    h(
      'table',
      null,
      h('caption', null, caption),
      h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((cell) => h('td', null, cell))))),
    ),
  );
}

/** A status in words with a class for colour: "active", "revoked". */
export function badge(text: string, tone: 'ok' | 'warn' | 'bad' | 'neutral' = 'neutral'): HTMLElement {
  return h('span', { class: `badge ${tone}` }, text);
}

/** Definition list of label → value. */
export function facts(pairs: readonly (readonly [string, Child])[]): HTMLElement {
  return h('dl', { class: 'facts' }, pairs.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]));
}

/** SCIM-style paging links: "Showing 1-50 of 100,000", previous and next. */
export function pager(startIndex: number, count: number, total: number, hrefFor: (start: number) => string, label = 'Pages'): HTMLElement {
  const window = pageWindow(startIndex, count, total);
  return h(
    'nav',
    { class: 'pager', 'aria-label': label },
    h('p', null, total === 0 ? 'No results.' : `Showing ${formatCount(window.first)}–${formatCount(window.last)} of ${formatCount(total)}`),
    window.previousStart !== null ? h('a', { href: hrefFor(window.previousStart), rel: 'prev' }, 'Previous page') : null,
    window.nextStart !== null ? h('a', { href: hrefFor(window.nextStart), rel: 'next' }, 'Next page') : null,
  );
}

/** A value shown once (a new token) with a copy button; the text stays selectable when the clipboard is refused. */
export function secretValue(label: string, value: string): HTMLElement {
  const id = uid('secret');
  const output = h('input', { id, type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false', autocomplete: 'off' });
  const status = h('span', { class: 'copy-status', role: 'status' });
  const copy = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        output.select();
        navigator.clipboard
          .writeText(value)
          .then(() => (status.textContent = 'Copied to the clipboard.'))
          .catch(() => (status.textContent = 'The browser refused the clipboard: the value is selected, press Ctrl+C.'));
      },
    },
    `Copy ${label.charAt(0).toLowerCase()}${label.slice(1)}`,
  );
  return h('div', { class: 'secret-value' }, h('label', { for: id }, label), h('div', { class: 'secret-row' }, output, copy), status);
}

/** A button that runs `action`, disabled while it runs, with its outcome shown next to it. */
export function actionButton(text: string, action: () => Promise<void>, options: { confirm?: string; tone?: 'danger' } = {}): HTMLButtonElement {
  const button = h('button', { type: 'button', class: options.tone === 'danger' ? 'danger' : null }, text);
  button.addEventListener('click', () => {
    if (options.confirm && !window.confirm(options.confirm)) return;
    button.disabled = true;
    action().finally(() => {
      button.disabled = false;
    });
  });
  return button;
}

/** `<pre>` of JSON, for the raw views (stored events, resources). */
export function json(value: unknown): HTMLElement {
  return h('pre', { class: 'json', tabindex: 0 }, JSON.stringify(value, null, 2));
}
