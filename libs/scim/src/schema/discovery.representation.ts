import type { AttributeDefinition } from './attribute-definition.js';
import type { ResourceTypeName } from './resource-type.js';
import type { SchemaDefinition } from './schema.definition.js';
import type { SchemaRegistry } from './schema.registry.js';

export const SCHEMA_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

/** `baseUrl` is the SCIM base URL without a trailing slash (e.g. `https://host/scim/v2`); it makes `meta.location`. */
export interface DiscoveryOptions {
  readonly baseUrl?: string;
}

/** A schema as served by `GET /Schemas` (RFC 7643 §7, shape of §8.7.1). */
export function renderSchemaResource(schema: SchemaDefinition, options: DiscoveryOptions = {}): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA_ID],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(renderAttribute),
    meta: {
      resourceType: 'Schema',
      ...(options.baseUrl !== undefined ? { location: `${options.baseUrl}/Schemas/${schema.id}` } : {}),
    },
  };
}

/** A resource type as served by `GET /ResourceTypes` (RFC 7643 §6, shape of §8.6). */
export function renderResourceTypeResource(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  options: DiscoveryOptions = {},
): Record<string, unknown> {
  const definition = registry.resourceType(resourceType);
  return {
    schemas: [RESOURCE_TYPE_SCHEMA_ID],
    id: definition.name,
    name: definition.name,
    endpoint: definition.endpoint,
    description: definition.description,
    schema: definition.schemaId,
    schemaExtensions: registry.extensionSchemas(resourceType).map((extension) => ({
      schema: extension.id,
      required: registry.isExtensionRequired(resourceType, extension.id),
    })),
    meta: {
      resourceType: 'ResourceType',
      ...(options.baseUrl !== undefined ? { location: `${options.baseUrl}/ResourceTypes/${definition.name}` } : {}),
    },
  };
}

function renderAttribute(attribute: AttributeDefinition): Record<string, unknown> {
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    description: attribute.description,
    required: attribute.required,
    caseExact: attribute.caseExact,
    mutability: attribute.mutability,
    returned: attribute.returned,
    uniqueness: attribute.uniqueness,
    ...(attribute.canonicalValues ? { canonicalValues: [...attribute.canonicalValues] } : {}),
    ...(attribute.referenceTypes ? { referenceTypes: [...attribute.referenceTypes] } : {}),
    ...(attribute.subAttributes ? { subAttributes: attribute.subAttributes.map(renderAttribute) } : {}),
  };
}
