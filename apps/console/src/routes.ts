/** The console's URLs (all under /console), parsed and built in one place. Pure: unit-tested without a browser. */

export const CONSOLE_BASE = '/console';

export type ResourceType = 'Users' | 'Groups';

export type Route =
  | { readonly name: 'overview' }
  | { readonly name: 'sign-in' }
  | { readonly name: 'tenants' }
  | { readonly name: 'tenant'; readonly tenantId: string }
  | { readonly name: 'log'; readonly tenantId: string }
  | { readonly name: 'log-entry'; readonly tenantId: string; readonly entryId: string }
  | { readonly name: 'users'; readonly tenantId: string }
  | { readonly name: 'user'; readonly tenantId: string; readonly id: string }
  | { readonly name: 'groups'; readonly tenantId: string }
  | { readonly name: 'group'; readonly tenantId: string; readonly id: string }
  | { readonly name: 'history'; readonly tenantId: string; readonly resourceType: ResourceType; readonly id: string }
  | { readonly name: 'audit'; readonly tenantId: string }
  | { readonly name: 'schemas'; readonly tenantId: string }
  | { readonly name: 'admin-tokens' }
  | { readonly name: 'not-found'; readonly path: string };

export type RouteName = Route['name'];

/** The route a path names; `not-found` for anything else (never throws). */
export function parseRoute(pathname: string): Route {
  if (pathname !== CONSOLE_BASE && !pathname.startsWith(`${CONSOLE_BASE}/`)) return { name: 'not-found', path: pathname };
  let parts: string[];
  try {
    parts = pathname
      .slice(CONSOLE_BASE.length)
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
  } catch {
    return { name: 'not-found', path: pathname };
  }
  const [first, tenantId, section, id, extra] = parts;
  if (first === undefined) return { name: 'overview' };
  if (first === 'sign-in' && parts.length === 1) return { name: 'sign-in' };
  if (first === 'admin-tokens' && parts.length === 1) return { name: 'admin-tokens' };
  if (first !== 'tenants') return { name: 'not-found', path: pathname };
  if (tenantId === undefined) return { name: 'tenants' };
  if (section === undefined) return { name: 'tenant', tenantId };
  if (parts.length === 3) {
    if (section === 'log' || section === 'users' || section === 'groups' || section === 'audit' || section === 'schemas') return { name: section, tenantId };
  }
  if (parts.length === 4 && id !== undefined) {
    if (section === 'log') return { name: 'log-entry', tenantId, entryId: id };
    if (section === 'users') return { name: 'user', tenantId, id };
    if (section === 'groups') return { name: 'group', tenantId, id };
  }
  if (parts.length === 5 && section === 'history' && (id === 'Users' || id === 'Groups') && extra !== undefined) {
    return { name: 'history', tenantId, resourceType: id, id: extra };
  }
  return { name: 'not-found', path: pathname };
}

/** The path of a route (with an optional query string); parseRoute(hrefOf(r)) gives r back. */
export function hrefOf(route: Route, query: Record<string, string | number | undefined> = {}): string {
  const e = encodeURIComponent;
  let path: string;
  switch (route.name) {
    case 'overview':
      path = CONSOLE_BASE;
      break;
    case 'sign-in':
    case 'admin-tokens':
    case 'tenants':
      path = `${CONSOLE_BASE}/${route.name}`;
      break;
    case 'tenant':
      path = `${CONSOLE_BASE}/tenants/${e(route.tenantId)}`;
      break;
    case 'log':
    case 'users':
    case 'groups':
    case 'audit':
    case 'schemas':
      path = `${CONSOLE_BASE}/tenants/${e(route.tenantId)}/${route.name}`;
      break;
    case 'log-entry':
      path = `${CONSOLE_BASE}/tenants/${e(route.tenantId)}/log/${e(route.entryId)}`;
      break;
    case 'user':
      path = `${CONSOLE_BASE}/tenants/${e(route.tenantId)}/users/${e(route.id)}`;
      break;
    case 'group':
      path = `${CONSOLE_BASE}/tenants/${e(route.tenantId)}/groups/${e(route.id)}`;
      break;
    case 'history':
      path = `${CONSOLE_BASE}/tenants/${e(route.tenantId)}/history/${route.resourceType}/${e(route.id)}`;
      break;
    case 'not-found':
      path = route.path;
      break;
  }
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') parameters.set(name, String(value));
  const search = parameters.toString();
  return search ? `${path}?${search}` : path;
}

/** The tenant a route belongs to, for the tenant navigation; undefined outside a tenant. */
export function tenantOf(route: Route): string | undefined {
  return 'tenantId' in route ? route.tenantId : undefined;
}
