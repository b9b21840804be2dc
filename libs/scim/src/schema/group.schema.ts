import { defineAttribute } from './attribute-definition.js';
import type { SchemaDefinition } from './schema.definition.js';

export const GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/**
 * RFC 7643 §4.2 and the representation in §8.7.1. `displayName` is required as §4.2 says ("REQUIRED"),
 * although the §8.7.1 representation marks it optional.
 */
export const GROUP_SCHEMA: SchemaDefinition = {
  id: GROUP_SCHEMA_ID,
  name: 'Group',
  description: 'Group',
  attributes: [
    defineAttribute({
      name: 'displayName',
      type: 'string',
      required: true,
      description: 'A human-readable name for the Group; unique per service provider, case-insensitively.',
      // Entra matches groups by displayName (ENTRA.md), so two groups of one name would make its match ambiguous;
      // the write side reserves it (apps/gateway/src/unique-keys.ts) and /Schemas says so.
      uniqueness: 'server',
    }),
    defineAttribute({
      name: 'members',
      type: 'complex',
      multiValued: true,
      description: 'A list of members of the Group.',
      // Each member's sub-attributes are immutable: a member is added or removed, never rewritten in place.
      subAttributes: [
        defineAttribute({
          name: 'value',
          type: 'string',
          description: 'Identifier of the member of this Group.',
          caseExact: true,
          mutability: 'immutable',
        }),
        defineAttribute({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          description: 'The URI of the member resource.',
          mutability: 'immutable',
        }),
        defineAttribute({
          name: 'display',
          type: 'string',
          description: 'A human-readable name of the member.',
          mutability: 'immutable',
        }),
        defineAttribute({
          name: 'type',
          type: 'string',
          canonicalValues: ['User', 'Group'],
          description: 'The type of the member.',
          mutability: 'immutable',
        }),
      ],
    }),
  ],
};
