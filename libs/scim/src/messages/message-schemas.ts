import { ERROR_SCHEMA } from '../scim-error.js';

/** The message schema URNs of RFC 7644 §3.1 (the Error one lives with the errors in scim-error.ts). */
export const MessageSchema = {
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  error: ERROR_SCHEMA,
} as const;
