import type { AttributeChange } from '#scim/resource/resource.diff.js';
import type { DomainEvent } from '../decider.js';
import type { ScimAttributes } from '../scim-resource.js';
import { decodeWith, eventTypesOf, FIRST_VERSION, type EventCatalogue, type StoredEvent } from '../stored-event.js';

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

/** Every group event type and its schema versions (stored-event.ts): a type added to GroupEvent must be added here. */
const GROUP_EVENTS = {
  GroupCreated: FIRST_VERSION,
  GroupUpdated: FIRST_VERSION,
  GroupMembersAdded: FIRST_VERSION,
  GroupMembersRemoved: FIRST_VERSION,
  GroupMembersReplaced: FIRST_VERSION,
  GroupDeleted: FIRST_VERSION,
} as const satisfies EventCatalogue<GroupEvent>;

export const GROUP_EVENT_TYPES = eventTypesOf<GroupEvent>(GROUP_EVENTS);

/** A stored event as a GroupEvent at its current schema version; null when it is not a group event. */
export function decodeGroupEvent(stored: StoredEvent): GroupEvent | null {
  return decodeWith<GroupEvent>(GROUP_EVENTS, stored);
}
