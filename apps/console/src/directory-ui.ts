import { h } from './dom.js';
import { lastPageStart } from './directory.js';
import { field, pager } from './ui.js';

/** Where the filter language is defined: RFC 7644 §3.4.2.2, which the gateway implements whole. */
export const FILTER_DOCS_URL = 'https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2';

/**
 * The SCIM filter box of the users and groups lists: a labelled search form that hands the filter as typed to
 * `onSearch` (the page puts it in the URL); the gateway parses it, and its 400 is shown by the page.
 */
export function filterForm(options: { readonly value: string; readonly example: string; readonly what: string; readonly clearHref: string; onSearch(filter: string): void }): HTMLElement {
  const input = h('input', { type: 'text', name: 'filter', value: options.value, spellcheck: 'false', autocomplete: 'off', size: 60, class: 'mono' });
  const form = h(
    'form',
    { class: 'inline filter-form', role: 'search', 'aria-label': `Filter ${options.what}`, novalidate: true },
    field('SCIM filter', input, `The gateway’s SCIM filter language, for example: ${options.example}`),
    h('button', { type: 'submit' }, 'Search'),
    options.value !== '' ? h('a', { href: options.clearHref }, 'Clear the filter') : null,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    options.onSearch(input.value.trim());
  });
  return h(
    'div',
    null,
    form,
    h(
      'p',
      { class: 'hint' },
      'Operators eq, ne, co, sw, ew, gt, ge, lt, le, pr, with and, or, not and [ ] on multi-valued attributes: ',
      h('a', { href: FILTER_DOCS_URL, target: '_blank', rel: 'noopener noreferrer' }, 'the filter syntax (RFC 7644 §3.4.2.2, opens in a new tab)'),
      '. Its limits are at ',
      h('a', { href: '/limits', target: '_blank', rel: 'noopener noreferrer' }, '/limits (opens in a new tab)'),
      '.',
    ),
  );
}

/**
 * ui.ts's pager with "First page" and "Last page" links as well, so the end of a long list (a group of 100,000
 * members is 2,000 pages) is one click away.
 */
export function longPager(startIndex: number, count: number, total: number, hrefFor: (start: number) => string, label: string): HTMLElement {
  const nav = pager(startIndex, count, total, hrefFor, label);
  const last = lastPageStart(total, count);
  if (startIndex > 1 + count) nav.querySelector('a[rel="prev"]')?.before(h('a', { href: hrefFor(1) }, 'First page'));
  if (last !== null && startIndex + count < last) nav.append(h('a', { href: hrefFor(last) }, 'Last page'));
  return nav;
}
