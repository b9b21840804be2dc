import { Api, type Session } from './api.js';
import { h, replaceChildren } from './dom.js';
import type { PageContext } from './page.js';
import { PAGES } from './pages/index.js';
import { signInPage } from './pages/sign-in.js';
import { CONSOLE_BASE, hrefOf, parseRoute, tenantOf, type Route } from './routes.js';
import { errorBox } from './ui.js';

/**
 * The console's entry point: one page (History API routing), drawn from the admin API's answers. Each navigation
 * draws a page, titles the document after its h1 and moves focus there, so keyboard and screen-reader users land
 * on the new content.
 */
const api = new Api();
let session: Session | null = null;
let drawing = 0;
/** The first page of a visit keeps the browser's own focus (the skip link comes first); later ones move it to the h1. */
let drawn = false;
/** The path and query of the page drawn last: a popstate that changes only the #fragment (the skip link) draws nothing. */
let drawnLocation = '';
const root = document.getElementById('app')!;
const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'announcer' });

function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  void draw();
}

function announce(message: string): void {
  status.textContent = '';
  // A fresh text node, a beat later, so screen readers announce the same message twice in a row too.
  setTimeout(() => (status.textContent = message), 50);
}

api.onSessionEnded = (reason) => {
  session = null;
  api.csrfToken = null;
  navigate(hrefOf({ name: 'sign-in' }, { ended: reason.slice(0, 200), next: location.pathname + location.search }), { replace: true });
};

function nav(route: Route): HTMLElement {
  const link = (target: Route, text: string, current: boolean) =>
    h('a', { href: hrefOf(target), 'aria-current': current ? 'page' : null }, text);
  const tenantId = tenantOf(route);
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      onclick: () => {
        api
          .signOut()
          .catch(() => undefined)
          .finally(() => {
            session = null;
            navigate(hrefOf({ name: 'sign-in' }, { signedOut: 1 }), { replace: true });
          });
      },
    },
    'Sign out',
  );
  return h(
    'header',
    { class: 'site-header' },
    h('p', { class: 'brand' }, h('a', { href: CONSOLE_BASE }, 'SCIM gateway console')),
    h(
      'nav',
      { 'aria-label': 'Console' },
      h(
        'ul',
        null,
        h('li', null, link({ name: 'overview' }, 'Overview', route.name === 'overview')),
        h('li', null, link({ name: 'tenants' }, 'Tenants', route.name === 'tenants' || tenantId !== undefined)),
        h('li', null, link({ name: 'admin-tokens' }, 'Admin tokens', route.name === 'admin-tokens')),
      ),
    ),
    h('p', { class: 'who' }, session ? `Signed in with admin token “${session.adminTokenLabel}”` : '', ' ', signOut),
    tenantId !== undefined ? tenantNav(tenantId, route) : null,
  );
}

function tenantNav(tenantId: string, route: Route): HTMLElement {
  const items: [Route, string, readonly Route['name'][]][] = [
    [{ name: 'tenant', tenantId }, 'Set-up and tokens', ['tenant']],
    [{ name: 'log', tenantId }, 'Provisioning log', ['log', 'log-entry']],
    [{ name: 'users', tenantId }, 'Users', ['users', 'user']],
    [{ name: 'groups', tenantId }, 'Groups', ['groups', 'group']],
    [{ name: 'audit', tenantId }, 'Audit', ['audit', 'history']],
    [{ name: 'schemas', tenantId }, 'Extension schemas', ['schemas']],
  ];
  return h(
    'nav',
    { 'aria-label': `Tenant ${tenantId}`, class: 'tenant-nav' },
    h('p', null, 'Tenant ', h('strong', null, tenantId)),
    h(
      'ul',
      null,
      items.map(([target, text, names]) => h('li', null, h('a', { href: hrefOf(target), 'aria-current': names.includes(route.name) ? 'page' : null }, text))),
    ),
  );
}

async function draw(): Promise<void> {
  const ticket = ++drawing;
  drawnLocation = location.pathname + location.search;
  // Until the new page is drawn, the old one is marked busy (assistive technology waits; tests wait for it too).
  document.getElementById('main')?.setAttribute('aria-busy', 'true');
  const route = parseRoute(location.pathname);
  const query = new URLSearchParams(location.search);
  if (route.name === 'sign-in') {
    const view = await signInPage(api, query, (next) => {
      session = next;
      const target = query.get('next');
      navigate(target && target.startsWith(`${CONSOLE_BASE}`) && !target.startsWith(`${CONSOLE_BASE}/sign-in`) ? target : CONSOLE_BASE, { replace: true });
    });
    if (ticket !== drawing) return;
    render(null, view.title, view.body);
    return;
  }
  if (!session) {
    try {
      session = await api.session();
    } catch (error) {
      render(null, 'The gateway did not answer', errorBox(error, 'Cannot read the console session'));
      return;
    }
    if (!session) {
      navigate(hrefOf({ name: 'sign-in' }, { next: location.pathname + location.search }), { replace: true });
      return;
    }
  }
  const context: PageContext = { api, route, query, session, navigate, refresh: () => void draw(), announce };
  let title: string;
  let body: Node;
  try {
    const view = await PAGES[route.name](context as never);
    ({ title, body } = view);
  } catch (error) {
    title = 'Something went wrong';
    body = errorBox(error, 'The page could not be drawn');
  }
  if (ticket !== drawing) return;
  render(route, title, body);
}

function render(route: Route | null, title: string, body: Node): void {
  const heading = h('h1', { tabindex: -1 }, title);
  const main = h('main', { id: 'main', tabindex: -1 }, heading, body);
  replaceChildren(root, route ? nav(route) : null, main, status);
  document.title = `${title} · SCIM gateway console`;
  if (drawn) heading.focus();
  drawn = true;
}

// Links inside the console change the page without a reload; modified clicks (new tab) are left to the browser.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(CONSOLE_BASE)) return;
  // An in-page link (the skip link) is the browser's to follow: it moves focus to its target.
  if (url.hash !== '' && url.pathname === location.pathname && url.search === location.search) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => {
  if (location.pathname + location.search !== drawnLocation) void draw();
});
void draw();
