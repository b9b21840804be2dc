import type { GroupMember } from '#domain/group/group.events.js';
import { isMembersKey, memberObjectOf, parseMembers } from '#domain/group/group-patch.plan.js';
import type { ScimAttributes } from '#domain/scim-resource.js';
import { isPlainObject } from '#scim/resource/json-value.js';
import { normaliseResource } from '#scim/resource/resource.normaliser.js';
import type { InputPolicy } from '../users/user-input.js';

export interface GroupInput {
  /** Without members: membership travels as its own events. */
  readonly attributes: ScimAttributes;
  readonly members: readonly GroupMember[];
}

/** A POST or PUT /Groups body → validated attributes and the member list (RFC 7644 §3.3, RFC 7643 §4.2). */
export function parseGroupResource(body: unknown, policy: InputPolicy): GroupInput {
  const { members, ...attributes } = normaliseResource(withMemberObjects(body), policy.registry, 'Group', { unknownAttributes: policy.unknownAttributes });
  return { attributes, members: parseMembers(members, 'members') };
}

/** Bare ids in `members` (`"members": ["<id>"]`, see memberObjectOf) become `{ "value": "<id>" }` before validation. */
function withMemberObjects(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const key = Object.keys(body).find((name) => isMembersKey(name) && Array.isArray(body[name]));
  if (key === undefined) return body;
  const members = body[key] as unknown[];
  return members.some((item) => typeof item === 'string') ? { ...body, [key]: members.map(memberObjectOf) } : body;
}
