import type { SchemaExtensionRegistration } from '../src/schema/schema.registry.js';

/** The custom extensions of the Interact seed document (../shared/seeds/002_*.txt), given as configuration. */
export const INTERACT_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:User';
export const INTERACT_GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:Group';

export const INTERACT_EXTENSIONS: readonly SchemaExtensionRegistration[] = [
  {
    resourceType: 'User',
    schema: {
      id: INTERACT_USER_SCHEMA_ID,
      name: 'InteractUser',
      attributes: [
        { name: 'location', type: 'string' },
        { name: 'loginType', type: 'string', canonicalValues: ['SAML', 'Local Login', 'Windows Login'] },
        { name: 'jobStartDate', type: 'dateTime' },
        { name: 'headcount', type: 'integer' },
        { name: 'onLeave', type: 'boolean' },
      ],
    },
  },
  {
    resourceType: 'Group',
    schema: {
      id: INTERACT_GROUP_SCHEMA_ID,
      name: 'InteractGroup',
      attributes: [{ name: 'groupType', type: 'string', required: true, canonicalValues: ['company', 'department', 'location', 'group'] }],
    },
  },
];
