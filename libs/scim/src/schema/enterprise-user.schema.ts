import { defineAttribute } from './attribute-definition.js';
import type { SchemaDefinition } from './schema.definition.js';

export const ENTERPRISE_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const text = (name: string, description: string) => defineAttribute({ name, type: 'string', description });

/** RFC 7643 §4.3 and the representation in §8.7.1. */
export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA_ID,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    text('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
    text('costCenter', 'Identifies the name of a cost center.'),
    text('organization', 'Identifies the name of an organization.'),
    text('division', 'Identifies the name of a division.'),
    text('department', 'Identifies the name of a department.'),
    defineAttribute({
      name: 'manager',
      type: 'complex',
      description: "The User's manager.",
      subAttributes: [
        defineAttribute({
          name: 'value',
          type: 'string',
          description: "The id of the SCIM resource representing the User's manager.",
          // An id, and ids are case-exact (RFC 7643 §3.1).
          caseExact: true,
        }),
        defineAttribute({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User'],
          description: "The URI of the SCIM resource representing the User's manager.",
        }),
        defineAttribute({
          name: 'displayName',
          type: 'string',
          description: "The displayName of the User's manager; set by the service provider.",
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
};
