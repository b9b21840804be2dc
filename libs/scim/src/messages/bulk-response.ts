import type { ScimError } from '../scim-error.js';
import { MessageSchema } from './message-schemas.js';

/** The outcome of one bulk operation (RFC 7644 §3.7.3): `status` is a string, as in the RFC's examples. */
export interface BulkOperationResult {
  readonly method: string;
  readonly bulkId?: string;
  readonly version?: string;
  readonly location?: string;
  readonly status: string;
  readonly response?: unknown;
}

export interface BulkResponse {
  readonly schemas: readonly [typeof MessageSchema.bulkResponse];
  readonly Operations: readonly BulkOperationResult[];
}

export function buildBulkResponse(operations: readonly BulkOperationResult[]): BulkResponse {
  return { schemas: [MessageSchema.bulkResponse], Operations: operations };
}

/** A failed bulk operation: its status and the SCIM error as `response` (RFC 7644 §3.7.3). */
export function failedBulkOperation(operation: { readonly method: string; readonly bulkId?: string }, error: ScimError): BulkOperationResult {
  return {
    method: operation.method,
    ...(operation.bulkId !== undefined ? { bulkId: operation.bulkId } : {}),
    status: String(error.status),
    response: error.toJSON(),
  };
}
