import { bulkIdReferencesIn, bulkIdReferencesInPath, resolveBulkIdReferences, resolveBulkIdReferencesInPath } from './bulk-references.js';

describe('bulkId references (RFC 7644 §3.7.2)', () => {
  const data = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Tour Guides',
    members: [{ type: 'User', value: 'bulkId:qwerty' }, { value: 'plain-id' }],
  };

  it('finds the references in data and in a path (RFC 7644 §3.7.2 example)', () => {
    expect(bulkIdReferencesIn(data)).toEqual(['qwerty']);
    expect(bulkIdReferencesInPath('/Groups/bulkId:ytrewq')).toEqual(['ytrewq']);
    expect(bulkIdReferencesIn({ value: 'not-a-ref' })).toEqual([]);
  });

  it('replaces them with the created ids, leaving everything else', () => {
    const created = new Map([['qwerty', '92b725cd-9465-4e7d-8c16-01f8e146b87a']]);
    expect(resolveBulkIdReferences(data, created)).toEqual({
      ...data,
      members: [{ type: 'User', value: '92b725cd-9465-4e7d-8c16-01f8e146b87a' }, { value: 'plain-id' }],
    });
    expect(resolveBulkIdReferencesInPath('/Users/bulkId:qwerty', created)).toBe('/Users/92b725cd-9465-4e7d-8c16-01f8e146b87a');
  });

  it('refuses to resolve a reference nobody created', () => {
    expect(() => resolveBulkIdReferences({ value: 'bulkId:nobody' }, new Map())).toThrow(/unresolved/);
  });
});
