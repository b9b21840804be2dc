import { InvalidSyntaxError } from '../scim-error.js';

export type PatchOperationName = 'add' | 'remove' | 'replace';

/** One element of a PatchOp's `Operations` (RFC 7644 §3.5.2), as received. */
export interface PatchOperation {
  /** Case-insensitive: Entra sends `Add`, `Replace`, `Remove`. */
  readonly op: string;
  readonly path?: string | null;
  readonly value?: unknown;
}

/** The operation's name in lower case; anything but add, remove or replace is invalidSyntax. */
export function patchOperationName(op: unknown): PatchOperationName {
  const name = typeof op === 'string' ? op.trim().toLowerCase() : undefined;
  if (name === 'add' || name === 'remove' || name === 'replace') return name;
  throw new InvalidSyntaxError(`unknown PATCH op ${JSON.stringify(op)}: expected add, remove or replace (RFC 7644 §3.5.2)`);
}
