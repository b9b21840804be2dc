import type { ScimAttributes } from '#domain/scim-resource.js';
import { withJsonEncodedValueDecoded, type PatchOperation } from '#scim/patch/patch.operation.js';
import { validateMessage } from '#scim/messages/message.validator.js';
import { PatchOpRequest } from '#scim/messages/patch-op.dto.js';
import type { RequestLimits } from '#scim/messages/request-limits.js';
import { parsePatchPath } from '#scim/patch/patch-path.parser.js';
import { InvalidValueError } from '#scim/scim-error.js';
import { checkJsonInput } from '#scim/resource/json-input.js';
import { normaliseResource } from '#scim/resource/resource.normaliser.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';

export interface InputPolicy {
  readonly registry: SchemaRegistry;
  readonly unknownAttributes: 'reject' | 'ignore';
}

/** A POST or PUT body → validated, normalised User attributes (libs/scim does the work; RFC 7644 §3.3). */
export function parseUserResource(body: unknown, policy: InputPolicy): ScimAttributes {
  return normaliseResource(body, policy.registry, 'User', { unknownAttributes: policy.unknownAttributes });
}

/**
 * A PATCH body → its operations, after the PatchOp message shape is checked (RFC 7644 §3.5.2), their number is
 * within PATCH_MAX_OPERATIONS, and each path's value filter within the filter limits (400 invalidPath), before any
 * operation is applied (docs/operations.md "Limits"). A path-less value sent as a JSON-encoded string (the Keycloak
 * SCIM plugin) is read as the object it encodes, held to the same JSON limits as if it had been sent as one.
 */
export function parsePatchOperations(body: unknown, limits: Pick<RequestLimits, 'patchOperations' | 'filter' | 'json'>): readonly PatchOperation[] {
  const count = (body as { Operations?: unknown } | null)?.Operations;
  if (Array.isArray(count) && count.length > limits.patchOperations) {
    throw new InvalidValueError(`the PatchOp has ${count.length} operations; at most ${limits.patchOperations} are allowed in one request`);
  }
  return validateMessage(PatchOpRequest, body).Operations.map((received, index) => {
    if (typeof received.path === 'string') parsePatchPath(received.path, limits.filter);
    const operation = withJsonEncodedValueDecoded(received);
    if (operation !== received) {
      // The decoded object sits at level 4 of the body (the body, Operations, the operation, its value).
      checkJsonInput(operation.value, limits.json, `Operations[${index}].value (decoded from its JSON-encoded string)`, 4);
    }
    return operation;
  });
}
