import { describe, expect, it } from '@jest/globals';
import { hrefOf, parseRoute, tenantOf, type Route } from './routes.js';

describe('console routes', () => {
  const every: Route[] = [
    { name: 'overview' },
    { name: 'sign-in' },
    { name: 'tenants' },
    { name: 'admin-tokens' },
    { name: 'tenant', tenantId: 'contoso' },
    { name: 'log', tenantId: 'contoso' },
    { name: 'log-entry', tenantId: 'contoso', entryId: '42' },
    { name: 'users', tenantId: 'contoso' },
    { name: 'user', tenantId: 'contoso', id: '2819c223-7f76-453a-919d-413861904646' },
    { name: 'groups', tenantId: 'fabrikam-eu' },
    { name: 'group', tenantId: 'fabrikam-eu', id: 'e9e30dba-f08f-4109-8486-d5c6a331660a' },
    { name: 'history', tenantId: 'contoso', resourceType: 'Users', id: 'a b/c' },
    { name: 'history', tenantId: 'contoso', resourceType: 'Groups', id: 'g1' },
    { name: 'audit', tenantId: '42' },
    { name: 'schemas', tenantId: 'contoso' },
  ];

  it.each(every.map((route) => [hrefOf(route), route] as const))('%s parses back to its route', (href, route) => {
    expect(parseRoute(href)).toEqual(route);
  });

  it('encodes ids, so a slash or a space in an id cannot change the page', () => {
    expect(hrefOf({ name: 'history', tenantId: 't', resourceType: 'Users', id: 'a b/c' })).toBe('/console/tenants/t/history/Users/a%20b%2Fc');
  });

  it('keeps the query string, leaving out empty values', () => {
    expect(hrefOf({ name: 'log', tenantId: 't' }, { status: '409', resourceId: '', cursor: undefined })).toBe('/console/tenants/t/log?status=409');
  });

  it.each([
    '/',
    '/consoles',
    '/console/nowhere',
    '/console/tenants/t/unknown',
    '/console/tenants/t/history/Things/1',
    '/console/tenants/t/history/Users',
    '/console/tenants/t/users/1/extra',
    '/console/tenants/%E0%A4%A',
  ])('%s is not-found, never an exception', (path) => {
    expect(parseRoute(path)).toEqual({ name: 'not-found', path });
  });

  it('accepts a trailing slash', () => {
    expect(parseRoute('/console/')).toEqual({ name: 'overview' });
    expect(parseRoute('/console/tenants/t/')).toEqual({ name: 'tenant', tenantId: 't' });
  });

  it('knows the tenant of a route', () => {
    expect(tenantOf({ name: 'user', tenantId: 'contoso', id: 'x' })).toBe('contoso');
    expect(tenantOf({ name: 'tenants' })).toBeUndefined();
  });
});
