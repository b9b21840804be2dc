import { defineAttribute, type AttributeDefinition } from './attribute-definition.js';

/**
 * Attributes every resource carries outside any schema (RFC 7643 §3 `schemas`, §3.1 `id`, `externalId`, `meta`).
 * They live at the top level of the resource JSON like core attributes.
 */

export const SCHEMAS_ATTRIBUTE = defineAttribute({
  name: 'schemas',
  type: 'reference',
  referenceTypes: ['uri'],
  multiValued: true,
  required: true,
  description: 'The schema URIs of the resource: its core schema and every extension it carries.',
  returned: 'always',
});

/** RFC 7643 §3.1: assigned by the service provider, never changeable, always returned, case-exact. */
export const ID_ATTRIBUTE = defineAttribute({
  name: 'id',
  type: 'string',
  description: 'Unique identifier of the resource, assigned by the service provider.',
  caseExact: true,
  mutability: 'readOnly',
  returned: 'always',
  uniqueness: 'server',
});

/** RFC 7643 §3.1: the provisioning client's identifier; case-exact. */
export const EXTERNAL_ID_ATTRIBUTE = defineAttribute({
  name: 'externalId',
  type: 'string',
  description: "The provisioning client's identifier of the resource.",
  caseExact: true,
});

const readOnlyMetaSubAttribute = (
  name: string,
  type: 'string' | 'dateTime' | 'reference',
  description: string,
): AttributeDefinition =>
  defineAttribute({
    name,
    type,
    description,
    caseExact: true,
    mutability: 'readOnly',
    ...(type === 'reference' ? { referenceTypes: ['uri'] } : {}),
  });

/**
 * RFC 7643 §3.1: resource metadata, maintained by the service provider (readOnly: client input is ignored).
 * RFC 7643 leaves its `returned` open; this gateway always returns it so clients always see version and times.
 */
export const META_ATTRIBUTE = defineAttribute({
  name: 'meta',
  type: 'complex',
  description: 'Resource metadata maintained by the service provider.',
  mutability: 'readOnly',
  returned: 'always',
  subAttributes: [
    readOnlyMetaSubAttribute('resourceType', 'string', 'The name of the resource type of the resource.'),
    readOnlyMetaSubAttribute('created', 'dateTime', 'When the resource was added to the service provider.'),
    readOnlyMetaSubAttribute('lastModified', 'dateTime', 'When the resource was last changed.'),
    readOnlyMetaSubAttribute('location', 'reference', 'The URI of the resource.'),
    readOnlyMetaSubAttribute('version', 'string', 'The version (ETag) of the resource.'),
  ],
});

export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  SCHEMAS_ATTRIBUTE,
  ID_ATTRIBUTE,
  EXTERNAL_ID_ATTRIBUTE,
  META_ATTRIBUTE,
];
