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

/**
 * The operation with a path-less value given as a JSON-encoded string read as the object it encodes. RFC 7644
 * §3.5.2.1 and §3.5.2.3 want an object of attributes there; the Keycloak SCIM plugin sends the object serialised
 * (`"value": "{\"schemas\":[...],\"displayName\":\"EPD\"}"`, Captain-P-Goldfish/scim-for-keycloak#133). Only a
 * string that parses to a JSON object is read so; any other value is returned as sent, for the engine to judge
 * (a path-less string stays 400 invalidValue). A `path`, a `remove` and a non-object stay exactly as sent.
 */
export function withJsonEncodedValueDecoded(operation: PatchOperation): PatchOperation {
  const pathless = operation.path === undefined || operation.path === null || operation.path.trim() === '';
  if (!pathless || typeof operation.value !== 'string' || !/^\s*\{/.test(operation.value)) return operation;
  if (/^\s*remove\s*$/i.test(operation.op)) return operation;
  let decoded: unknown;
  try {
    decoded = JSON.parse(operation.value);
  } catch {
    return operation;
  }
  return typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded) ? { ...operation, value: decoded } : operation;
}
