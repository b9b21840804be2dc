/**
 * The part of the gateway's Kafka contract (docs/kafka.md) this subscriber relies on. A downstream app keeps its
 * own copy of these few types rather than importing the gateway's code: the contract is the JSON, not a library.
 */
export interface ScimResource {
  readonly id: string;
  readonly schemas: readonly string[];
  readonly meta: { readonly resourceType: 'User' | 'Group'; readonly lastModified: string; readonly version: string };
  readonly [attribute: string]: unknown;
}

export interface GroupMember {
  readonly value: string;
  readonly type?: 'User' | 'Group';
  readonly display?: string;
}

/** An event as it arrives: of a type this app knows (KnownScimEvent), or of one added to the gateway since. */
export interface ScimEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly tenantid: string;
  readonly data: {
    readonly resource: ScimResource | null;
    readonly change: unknown;
    readonly revision: number;
    readonly position: string;
  };
}

/** One event type of the contract with the `change` it carries (docs/kafka.md). */
interface EventOf<Type extends string, Change> extends ScimEvent {
  readonly type: Type;
  readonly data: ScimEvent['data'] & { readonly change: Change };
}

interface AttributesChanged {
  readonly attributes: readonly unknown[];
}

export type KnownScimEvent =
  | EventOf<'scim.user.created' | 'scim.group.created', null>
  | EventOf<'scim.user.updated' | 'scim.user.deactivated' | 'scim.user.reactivated' | 'scim.group.updated', AttributesChanged>
  | EventOf<'scim.user.deleted', { readonly userName: string }>
  | EventOf<'scim.group.members_added', { readonly added: readonly GroupMember[] }>
  | EventOf<'scim.group.members_removed', { readonly removed: readonly string[]; readonly reason: string }>
  | EventOf<'scim.group.members_replaced', { readonly members: readonly GroupMember[] }>
  | EventOf<'scim.group.deleted', { readonly displayName: string }>;

/** Every known type, keyed so that a type added to KnownScimEvent cannot be left out. */
const KNOWN_TYPES: { readonly [Type in KnownScimEvent['type']]: true } = {
  'scim.user.created': true,
  'scim.user.updated': true,
  'scim.user.deactivated': true,
  'scim.user.reactivated': true,
  'scim.user.deleted': true,
  'scim.group.created': true,
  'scim.group.updated': true,
  'scim.group.members_added': true,
  'scim.group.members_removed': true,
  'scim.group.members_replaced': true,
  'scim.group.deleted': true,
};

/** Whether the event is of a type this app was written for; its `change` then has that type's shape. */
export function isKnownEvent(event: ScimEvent): event is KnownScimEvent {
  return Object.hasOwn(KNOWN_TYPES, event.type);
}
