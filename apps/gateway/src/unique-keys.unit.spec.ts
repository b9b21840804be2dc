import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { extensionRegistrationProblems } from './schema-registry.loader.js';
import { uniqueAttributesOf, uniqueKeysOf } from './unique-keys.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** docs/decisions.md "Uniqueness comes from the schema": the keys the write side reserves, read from the registry. */
describe('unique keys from the schema', () => {
  const rfc = new SchemaRegistry();
  const matchingOnExternalId = rfc.withExternalIdUniqueness('server');

  it.each([
    ['User', 'none', ['userName']],
    ['Group', 'none', ['displayName']],
    ['User', 'server', ['externalId', 'userName']],
    ['Group', 'server', ['externalId', 'displayName']],
  ] as const)('%s with externalId uniqueness %s: reserves %j', (resourceType, uniqueness, names) => {
    const registry = rfc.withExternalIdUniqueness(uniqueness);
    expect(uniqueAttributesOf(registry, resourceType).map((attribute) => attribute.name)).toEqual(names);
  });

  it('normalises each key as its attribute compares: userName and displayName case-insensitively, externalId exactly', () => {
    const user = { schemas: [CORE_USER], userName: 'Ann@Contoso.com', externalId: 'Ext-1', displayName: 'Ann' };
    expect(uniqueKeysOf(matchingOnExternalId, 'User', user)).toEqual([
      { kind: 'userExternalId', key: 'Ext-1' },
      { kind: 'userName', key: 'ann@contoso.com' },
    ]);
    expect(uniqueKeysOf(rfc, 'User', user)).toEqual([{ kind: 'userName', key: 'ann@contoso.com' }]);
    expect(uniqueKeysOf(matchingOnExternalId, 'Group', { displayName: 'Sales', externalId: 'G-1' })).toEqual([
      { kind: 'groupExternalId', key: 'G-1' },
      { kind: 'groupDisplayName', key: 'sales' },
    ]);
  });

  it('an attribute without a value holds no key', () => {
    expect(uniqueKeysOf(matchingOnExternalId, 'Group', { displayName: 'Sales' })).toEqual([{ kind: 'groupDisplayName', key: 'sales' }]);
  });

  it('refuses to leave a declared uniqueness unenforced: an attribute with no reservation kind is an error, not a silent none', () => {
    const claiming = new SchemaRegistry([
      { resourceType: 'User', schema: { id: 'urn:example:badge', attributes: [{ name: 'badge', type: 'string', uniqueness: 'server' }] } },
    ]);
    expect(() => uniqueKeysOf(claiming, 'User', { userName: 'ann' })).toThrow('User attribute badge is declared uniqueness "server", but the write side has no reservation for it');
  });

  it('extension schemas (SCIM_EXTENSIONS_FILE, tenant schemas) cannot declare a uniqueness, top level or sub-attribute', () => {
    const registration = (attribute: Record<string, unknown>) => [{ resourceType: 'User', schema: { id: 'urn:example:badge', attributes: [attribute] } }];
    expect(extensionRegistrationProblems(registration({ name: 'badge', type: 'string', uniqueness: 'server' }), 'schema')).toEqual([
      'schema[0].schema.attributes[0].uniqueness "server" is not enforced for extension attributes: leave it out or give "none"',
    ]);
    expect(extensionRegistrationProblems(registration({ name: 'badge', type: 'complex', subAttributes: [{ name: 'id', type: 'string', uniqueness: 'global' }] }), 'x')).toEqual([
      'x[0].schema.attributes[0].subAttributes[0].uniqueness "global" is not enforced for extension attributes: leave it out or give "none"',
    ]);
    expect(extensionRegistrationProblems(registration({ name: 'badge', type: 'string', uniqueness: 'none' }), 'schema')).toEqual([]);
  });
});
