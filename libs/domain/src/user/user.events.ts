import type { AttributeChange } from '#scim/resource/resource.diff.js';
import type { DomainEvent } from '../decider.js';
import type { ScimAttributes } from '../scim-resource.js';

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

export const USER_EVENT_TYPES: readonly UserEvent['type'][] = ['UserCreated', 'UserUpdated', 'UserDeleted'];
