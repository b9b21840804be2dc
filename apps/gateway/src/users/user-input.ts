import type { ScimAttributes } from '#domain/scim-resource.js';
import type { PatchOperation } from '#scim/patch/patch.operation.js';
import { validateMessage } from '#scim/messages/message.validator.js';
import { PatchOpRequest } from '#scim/messages/patch-op.dto.js';
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

/** A PATCH body → its operations, after the PatchOp message shape is checked (RFC 7644 §3.5.2). */
export function parsePatchOperations(body: unknown): readonly PatchOperation[] {
  return validateMessage(PatchOpRequest, body).Operations;
}
