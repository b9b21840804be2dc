import { describe, expect, it } from '@jest/globals';
import { clip, isDryRunPath, isScimPath, resourceOf, resourceTypeNamed } from './provisioning-log.entry.js';

describe('what a SCIM path addresses', () => {
  it.each([
    ['/scim/v2/Users', undefined, 'User', null],
    ['/scim/v2/Users/2819c223', undefined, 'User', '2819c223'],
    ['/scim/v2/users/2819c223', undefined, 'User', '2819c223'],
    ['/scim/v2/Users/a%20b', undefined, 'User', 'a b'],
    ['/scim/v2/Users/.search', undefined, 'User', null],
    ['/scim/v2/Users', 'https://scim.example.com/scim/v2/Users/new-id', 'User', 'new-id'],
    ['/scim/v2/dry-run/Groups/g-1', undefined, 'Group', 'g-1'],
    ['/scim/v2/dry-run/Groups', 'http://localhost:3000/scim/v2/Groups/g-2', 'Group', 'g-2'],
    ['/scim/v2/Bulk', undefined, 'Bulk', null],
    ['/scim/v2/.search', undefined, 'Search', null],
    ['/scim/v2/ServiceProviderConfig', undefined, 'ServiceProviderConfig', null],
    ['/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', undefined, 'Schemas', null],
    ['/scim/v2/Nonsense/1', undefined, null, null],
    ['/scim/v2', undefined, null, null],
  ])('%s (Location %s) → %s %s', (path, location, resourceType, resourceId) => {
    expect(resourceOf(path, location)).toEqual({ resourceType, resourceId });
  });

  it('recognises SCIM and dry-run paths', () => {
    expect(isScimPath('/scim/v2/Users')).toBe(true);
    expect(isScimPath('/scim/v2')).toBe(true);
    expect(isScimPath('/scim/v20/Users')).toBe(false);
    expect(isScimPath('/admin/v1/tenants')).toBe(false);
    expect(isScimPath('/health')).toBe(false);
    expect(isDryRunPath('/scim/v2/dry-run/Users')).toBe(true);
    expect(isDryRunPath('/scim/v2/Users/dry-run')).toBe(false);
  });

  it('reads resource type names the way operators type them', () => {
    expect(resourceTypeNamed('User')).toBe('User');
    expect(resourceTypeNamed('users')).toBe('User');
    expect(resourceTypeNamed('Groups')).toBe('Group');
    expect(resourceTypeNamed('bulk')).toBe('Bulk');
    expect(resourceTypeNamed('Search')).toBe('Search');
    expect(resourceTypeNamed('Widget')).toBeNull();
  });

  it('clips long text and replaces NUL, which PostgreSQL text cannot hold', () => {
    expect(clip('a\u0000b', 10)).toBe('a\uFFFDb');
    expect(clip('abcdef', 4)).toBe('abc…');
  });
});
