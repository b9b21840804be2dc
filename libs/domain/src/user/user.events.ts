import type { AttributeChange } from '#scim/resource/resource.diff.js';
import type { DomainEvent } from '../decider.js';
import type { ScimAttributes } from '../scim-resource.js';
import { decodeWith, eventTypesOf, FIRST_VERSION, type EventCatalogue, type StoredEvent } from '../stored-event.js';

/**
 * User events. `type` strings are stable wire names (never class names); schema version 1 for all.
 * Every event carries the resource as it is after the event, so any consumer (read model, Kafka, auditor)
 * has a resource's state at each revision without folding; updates also carry the attribute-level changes.
 */
export type UserCreated = DomainEvent<'UserCreated', { readonly userId: string; readonly attributes: ScimAttributes; readonly at: string }>;
export type UserUpdated = DomainEvent<
  'UserUpdated',
  { readonly userId: string; readonly changes: readonly AttributeChange[]; readonly attributes: ScimAttributes; readonly at: string }
>;
export type UserDeleted = DomainEvent<'UserDeleted', { readonly userId: string; readonly userName: string; readonly at: string }>;

export type UserEvent = UserCreated | UserUpdated | UserDeleted;

/** Every user event type and its schema versions (stored-event.ts): a type added to UserEvent must be added here. */
const USER_EVENTS = {
  UserCreated: FIRST_VERSION,
  UserUpdated: FIRST_VERSION,
  UserDeleted: FIRST_VERSION,
} as const satisfies EventCatalogue<UserEvent>;

export const USER_EVENT_TYPES = eventTypesOf<UserEvent>(USER_EVENTS);

/** A stored event as a UserEvent at its current schema version; null when it is not a user event. */
export function decodeUserEvent(stored: StoredEvent): UserEvent | null {
  return decodeWith<UserEvent>(USER_EVENTS, stored);
}
