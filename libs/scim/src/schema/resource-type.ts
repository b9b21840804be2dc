import { GROUP_SCHEMA_ID } from './group.schema.js';
import { USER_SCHEMA_ID } from './user.schema.js';

export type ResourceTypeName = 'User' | 'Group';

/** RFC 7643 §6: a resource type names its endpoint and its core schema. */
export interface ResourceTypeDefinition {
  readonly name: ResourceTypeName;
  readonly endpoint: string;
  readonly description: string;
  readonly schemaId: string;
}

export const RESOURCE_TYPES: Readonly<Record<ResourceTypeName, ResourceTypeDefinition>> = {
  User: { name: 'User', endpoint: '/Users', description: 'User Account', schemaId: USER_SCHEMA_ID },
  Group: { name: 'Group', endpoint: '/Groups', description: 'Group', schemaId: GROUP_SCHEMA_ID },
};
