import { INTERACT_EXTENSIONS, INTERACT_USER_SCHEMA_ID } from '../../test-fixtures/interact-extension.test-support.js';
import { renderResourceTypeResource, renderSchemaResource } from './discovery.representation.js';
import { ENTERPRISE_USER_SCHEMA_ID } from './enterprise-user.schema.js';
import { SchemaRegistry } from './schema.registry.js';
import { USER_SCHEMA, USER_SCHEMA_ID } from './user.schema.js';

const registry = new SchemaRegistry(INTERACT_EXTENSIONS);

describe('discovery representations (RFC 7643 §6, §7)', () => {
  it('RFC 7643 §8.7.1 example: the userName attribute of the User schema', () => {
    const rendered = renderSchemaResource(USER_SCHEMA, { baseUrl: 'https://example.com/v2' });
    expect(rendered).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: USER_SCHEMA_ID,
      name: 'User',
      description: 'User Account',
      meta: { resourceType: 'Schema', location: `https://example.com/v2/Schemas/${USER_SCHEMA_ID}` },
    });
    expect((rendered.attributes as Record<string, unknown>[])[0]).toEqual({
      name: 'userName',
      type: 'string',
      multiValued: false,
      description: expect.any(String),
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    });
  });

  it('RFC 7643 §8.7.1 example: sub-attributes, canonical values and reference types are rendered', () => {
    const attributes = renderSchemaResource(USER_SCHEMA).attributes as { name: string; subAttributes?: Record<string, unknown>[] }[];
    const groups = attributes.find((attribute) => attribute.name === 'groups')!;
    expect(groups.subAttributes?.map((sub) => sub.name)).toEqual(['value', '$ref', 'display', 'type']);
    expect(groups.subAttributes?.[1]).toMatchObject({ type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'readOnly' });
    expect(groups.subAttributes?.[3]).toMatchObject({ canonicalValues: ['direct', 'indirect'] });
  });

  it('RFC 7643 §8.6 example: the User resource type with its extensions', () => {
    expect(renderResourceTypeResource(registry, 'User', { baseUrl: 'https://example.com/v2' })).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA_ID,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA_ID, required: false },
        { schema: INTERACT_USER_SCHEMA_ID, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: 'https://example.com/v2/ResourceTypes/User' },
    });
  });

  it('every schema in the registry renders, custom extensions alike', () => {
    for (const schema of registry.allSchemas()) {
      expect(renderSchemaResource(schema)).toMatchObject({ id: schema.id, meta: { resourceType: 'Schema' } });
    }
  });
});
