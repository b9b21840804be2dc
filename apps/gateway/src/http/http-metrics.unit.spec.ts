import { methodLabel, scimRequestKindOf, scimTypeLabel, statusClassOf } from './http-metrics.js';

describe('HTTP metric labels', () => {
  it.each([
    [200, true, '2xx'],
    [201, true, '2xx'],
    [304, true, '3xx'],
    [409, true, '4xx'],
    [503, true, '5xx'],
    [200, false, 'closed'],
    [999, true, 'other'],
  ])('status %i (complete: %s) is %s', (status, complete, expected) => {
    expect(statusClassOf(status, complete)).toBe(expected);
  });

  it('keeps the standard methods and folds any other token into "other"', () => {
    expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map(methodLabel)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    expect(methodLabel('PROPFIND')).toBe('other');
    expect(methodLabel('get-me-a-new-series')).toBe('other');
  });

  it('keeps the scimTypes of RFC 7644 §3.12, none when there is none, other for anything else', () => {
    expect(scimTypeLabel('uniqueness')).toBe('uniqueness');
    expect(scimTypeLabel('invalidFilter')).toBe('invalidFilter');
    expect(scimTypeLabel(undefined)).toBe('none');
    expect(scimTypeLabel('a message with an id 2f3c')).toBe('other');
  });
});

describe('scimRequestKindOf: resource type and operation of a SCIM request', () => {
  it.each([
    // Route templates (what matched requests are labelled from).
    ['POST', '/scim/v2/Users', 'User', 'create'],
    ['GET', '/scim/v2/Users', 'User', 'list'],
    ['POST', '/scim/v2/Users/.search', 'User', 'search'],
    ['GET', '/scim/v2/Users/:id', 'User', 'get'],
    ['PUT', '/scim/v2/Users/:id', 'User', 'replace'],
    ['PATCH', '/scim/v2/Users/:id', 'User', 'patch'],
    ['DELETE', '/scim/v2/Users/:id', 'User', 'delete'],
    ['PATCH', '/scim/v2/Groups/:id', 'Group', 'patch'],
    ['POST', '/scim/v2/Bulk', 'Bulk', 'bulk'],
    ['POST', '/scim/v2/.search', 'Search', 'search'],
    ['GET', '/scim/v2/ServiceProviderConfig', 'ServiceProviderConfig', 'get'],
    ['GET', '/scim/v2/Schemas', 'Schemas', 'list'],
    ['GET', '/scim/v2/Schemas/:id', 'Schemas', 'get'],
    ['GET', '/scim/v2/ResourceTypes/:name', 'ResourceTypes', 'get'],
    // Paths as sent, for requests no route matched (refused before routing, unknown endpoints, methods not served).
    ['POST', '/scim/v2/users', 'User', 'create'],
    ['POST', '/scim/v2/dry-run/Users', 'User', 'create'],
    ['PUT', '/scim/v2/Users', 'User', 'other'],
    ['POST', '/scim/v2/Users/2819c223', 'User', 'other'],
    ['DELETE', '/scim/v2/Bulk', 'Bulk', 'other'],
    ['GET', '/scim/v2/NoSuchEndpoint/42', 'unknown', 'other'],
    ['GET', '/scim/v2', 'unknown', 'other'],
  ])('%s %s is %s %s', (method, path, resourceType, operation) => {
    expect(scimRequestKindOf(method, path)).toEqual({ resourceType, operation });
  });
});
