import type { AttributeChange } from '#scim/resource/resource.diff.js';
import type { DomainEvent } from '../decider.js';
import type { ScimAttributes } from '../scim-resource.js';

/** A member as recorded in events (RFC 7643 §4.2 `members` sub-attributes; `value` is the member's id). */
export interface GroupMember {
  readonly value: string;
  readonly type?: 'User' | 'Group';
  readonly display?: string;
}

/**
 * Group events. A group's own attributes (displayName, externalId, extensions) travel whole, as for users;
 * `attributes` never contains `members`. Membership changes are deltas (DESIGN.md "Events"): one member added
 * to a 100,000-member group is one small event, and no event ever carries the whole member list — except
 * GroupMembersReplaced, which records a PUT or a `replace` of `members` as the exact new list.
 */
export type GroupCreated = DomainEvent<'GroupCreated', { readonly groupId: string; readonly attributes: ScimAttributes; readonly at: string }>;
export type GroupUpdated = DomainEvent<
  'GroupUpdated',
  { readonly groupId: string; readonly changes: readonly AttributeChange[]; readonly attributes: ScimAttributes; readonly at: string }
>;
/** Members that were not in the group before this event. */
export type GroupMembersAdded = DomainEvent<'GroupMembersAdded', { readonly groupId: string; readonly members: readonly GroupMember[]; readonly at: string }>;
/** Members that were in the group before this event; `reason` says why (a PATCH, or the member's deletion). */
export type GroupMembersRemoved = DomainEvent<
  'GroupMembersRemoved',
  { readonly groupId: string; readonly memberIds: readonly string[]; readonly reason: 'request' | 'member-deleted'; readonly at: string }
>;
export type GroupMembersReplaced = DomainEvent<'GroupMembersReplaced', { readonly groupId: string; readonly members: readonly GroupMember[]; readonly at: string }>;
export type GroupDeleted = DomainEvent<'GroupDeleted', { readonly groupId: string; readonly displayName: string; readonly at: string }>;

export type GroupEvent = GroupCreated | GroupUpdated | GroupMembersAdded | GroupMembersRemoved | GroupMembersReplaced | GroupDeleted;

export const GROUP_EVENT_TYPES: readonly GroupEvent['type'][] = [
  'GroupCreated',
  'GroupUpdated',
  'GroupMembersAdded',
  'GroupMembersRemoved',
  'GroupMembersReplaced',
  'GroupDeleted',
];
