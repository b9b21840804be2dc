import { INTERACT_EXTENSIONS, INTERACT_USER_SCHEMA_ID } from '../../test-fixtures/interact-extension.test-support.js';
import type { AttributePath } from '../filter/filter.ast.js';
import { parseAttributePath } from '../filter/filter.parser.js';
import { ENTERPRISE_USER_SCHEMA_ID } from './enterprise-user.schema.js';
import { GROUP_SCHEMA_ID } from './group.schema.js';
import type { ResourceTypeName } from './resource-type.js';
import { SchemaRegistry } from './schema.registry.js';
import { USER_SCHEMA_ID } from './user.schema.js';

const registry = new SchemaRegistry(INTERACT_EXTENSIONS);

describe('SchemaRegistry', () => {
  it('gives each resource type its core schema and its extensions, built-in first', () => {
    expect(registry.coreSchema('User').id).toBe(USER_SCHEMA_ID);
    expect(registry.extensionSchemas('User').map((schema) => schema.id)).toEqual([ENTERPRISE_USER_SCHEMA_ID, INTERACT_USER_SCHEMA_ID]);
    expect(registry.coreSchema('Group').id).toBe(GROUP_SCHEMA_ID);
    expect(registry.schemasOf('Group').map((schema) => schema.id)).toEqual([
      GROUP_SCHEMA_ID,
      'urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:Group',
    ]);
  });

  it('serves externalId in each core schema (RFC 7643 §3.1 lets a schema list common attributes) with the uniqueness chosen', () => {
    const externalIdOf = (r: SchemaRegistry, type: ResourceTypeName) => r.schemasOf(type)[0].attributes.find((attribute) => attribute.name === 'externalId');
    expect(externalIdOf(registry, 'User')).toMatchObject({ caseExact: true, mutability: 'readWrite', uniqueness: 'none' });
    const matching = registry.withExternalIdUniqueness('server');
    for (const type of ['User', 'Group'] as const) expect(externalIdOf(matching, type)?.uniqueness).toBe('server');
    expect(matching.findAttribute('Group', { attribute: 'externalId' })?.definition.uniqueness).toBe('server');
    // The core schema itself stays RFC 7643's; the registry the option came from is unchanged; extensions are kept.
    expect(matching.coreSchema('User').attributes.some((attribute) => attribute.name === 'externalId')).toBe(false);
    expect(externalIdOf(registry, 'Group')?.uniqueness).toBe('none');
    expect(matching.withExtensions([{ resourceType: 'User', schema: { id: 'urn:example:more', attributes: [] } }]).externalIdUniqueness).toBe('server');
    expect(matching.extensionSchemas('User').map((schema) => schema.id)).toEqual(registry.extensionSchemas('User').map((schema) => schema.id));
  });

  it('withExtensions adds a tenant\'s schemas on top, leaves the original as it was, and refuses a URN twice', () => {
    const tenantSchema = { id: 'urn:example:tenant:2.0:User', name: 'TenantUser', attributes: [{ name: 'badge', type: 'string' as const }] };
    const extended = registry.withExtensions([{ resourceType: 'User', schema: tenantSchema }]);
    expect(extended.extensionSchemas('User').map((schema) => schema.id)).toEqual([ENTERPRISE_USER_SCHEMA_ID, INTERACT_USER_SCHEMA_ID, tenantSchema.id]);
    expect(registry.extensionSchemas('User').map((schema) => schema.id)).not.toContain(tenantSchema.id);
    expect(extended.findAttribute('User', { attribute: 'badge' })?.schemaId).toBe(tenantSchema.id);
    expect(registry.withExtensions([])).toBe(registry);
    expect(() => registry.withExtensions([{ resourceType: 'User', schema: { ...tenantSchema, id: INTERACT_USER_SCHEMA_ID.toUpperCase() } }])).toThrow(/registered twice/);
  });

  it('lists every distinct schema once for GET /Schemas', () => {
    expect(registry.allSchemas().map((schema) => schema.id)).toEqual([
      USER_SCHEMA_ID,
      ENTERPRISE_USER_SCHEMA_ID,
      INTERACT_USER_SCHEMA_ID,
      GROUP_SCHEMA_ID,
      'urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:Group',
    ]);
  });

  it('completes configured attributes with the RFC 7643 §2.2 defaults', () => {
    const location = registry.findAttribute('User', { uri: INTERACT_USER_SCHEMA_ID, attribute: 'location' });
    expect(location?.definition).toEqual({
      name: 'location',
      type: 'string',
      multiValued: false,
      description: '',
      required: false,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
    });
  });

  it('refuses the same schema twice for one resource type', () => {
    expect(() => new SchemaRegistry([{ resourceType: 'User', schema: { id: ENTERPRISE_USER_SCHEMA_ID.toUpperCase(), attributes: [] } }])).toThrow(
      /registered twice/,
    );
  });

  it('finds extensions by URN case-insensitively, and knows which are required', () => {
    expect(registry.findExtension('User', ENTERPRISE_USER_SCHEMA_ID.toLowerCase())?.id).toBe(ENTERPRISE_USER_SCHEMA_ID);
    expect(registry.findExtension('Group', ENTERPRISE_USER_SCHEMA_ID)).toBeUndefined();
    expect(registry.isExtensionRequired('User', ENTERPRISE_USER_SCHEMA_ID)).toBe(false);
    const strict = new SchemaRegistry([{ resourceType: 'User', schema: { id: 'urn:example:x:2.0:User', attributes: [] }, required: true }]);
    expect(strict.isExtensionRequired('User', 'URN:EXAMPLE:X:2.0:USER')).toBe(true);
  });

  type LookupRow = [title: string, resourceType: ResourceTypeName, path: string, expected: { schemaId: string; inExtension: boolean; definition: string } | undefined];
  it.each<LookupRow>([
    ['core attribute', 'User', 'userName', { schemaId: USER_SCHEMA_ID, inExtension: false, definition: 'userName' }],
    ['names are case-insensitive (RFC 7643 §2.1)', 'User', 'USERNAME', { schemaId: USER_SCHEMA_ID, inExtension: false, definition: 'userName' }],
    ['sub-attribute', 'User', 'name.familyName', { schemaId: USER_SCHEMA_ID, inExtension: false, definition: 'familyName' }],
    ['Entra mapping tables write `.Value`', 'User', 'emails.Value', { schemaId: USER_SCHEMA_ID, inExtension: false, definition: 'value' }],
    ['common attribute id', 'User', 'id', { schemaId: USER_SCHEMA_ID, inExtension: false, definition: 'id' }],
    ['common attribute with the core URN', 'Group', `${GROUP_SCHEMA_ID}:externalId`, { schemaId: GROUP_SCHEMA_ID, inExtension: false, definition: 'externalId' }],
    ['meta sub-attribute', 'User', 'meta.lastModified', { schemaId: USER_SCHEMA_ID, inExtension: false, definition: 'lastModified' }],
    ['RFC 7644 §3.4.2.2 URN-qualified core path', 'User', `${USER_SCHEMA_ID}:userName`, { schemaId: USER_SCHEMA_ID, inExtension: false, definition: 'userName' }],
    ['URN-qualified extension attribute', 'User', `${ENTERPRISE_USER_SCHEMA_ID}:employeeNumber`, { schemaId: ENTERPRISE_USER_SCHEMA_ID, inExtension: true, definition: 'employeeNumber' }],
    ['URN-qualified extension sub-attribute', 'User', `${ENTERPRISE_USER_SCHEMA_ID}:manager.value`, { schemaId: ENTERPRISE_USER_SCHEMA_ID, inExtension: true, definition: 'value' }],
    ['URN in other case', 'User', `${ENTERPRISE_USER_SCHEMA_ID.toUpperCase()}:Manager.$REF`, { schemaId: ENTERPRISE_USER_SCHEMA_ID, inExtension: true, definition: '$ref' }],
    ['unqualified extension attribute (RFC 7644 §3.10)', 'User', 'employeeNumber', { schemaId: ENTERPRISE_USER_SCHEMA_ID, inExtension: true, definition: 'employeeNumber' }],
    ['custom extension attribute', 'User', `${INTERACT_USER_SCHEMA_ID}:loginType`, { schemaId: INTERACT_USER_SCHEMA_ID, inExtension: true, definition: 'loginType' }],
    ['group members', 'Group', 'members.value', { schemaId: GROUP_SCHEMA_ID, inExtension: false, definition: 'value' }],
    ['unknown attribute', 'User', 'shoeSize', undefined],
    ['unknown sub-attribute', 'User', 'name.nickname', undefined],
    ['sub-attribute of a simple attribute', 'User', 'userName.value', undefined],
    ['attribute of another schema', 'User', `${ENTERPRISE_USER_SCHEMA_ID}:userName`, undefined],
    ['User attribute on Group', 'Group', 'userName', undefined],
    ['extension of another resource type', 'Group', `${ENTERPRISE_USER_SCHEMA_ID}:employeeNumber`, undefined],
  ])('findAttribute: %s', (_title, resourceType, text, expected) => {
    const path: AttributePath = parseAttributePath(text);
    const resolved = registry.findAttribute(resourceType, path);
    if (expected === undefined) {
      expect(resolved).toBeUndefined();
    } else {
      expect({ schemaId: resolved?.schemaId, inExtension: resolved?.inExtension, definition: resolved?.definition.name }).toEqual(expected);
    }
  });
});
