import type { GroupMember } from '#domain/group/group.events.js';
import type { AttributeChange } from '#scim/resource/resource.diff.js';

/**
 * What downstream apps receive on Kafka: one CloudEvents 1.0 event per domain event, in the structured content
 * mode of the Kafka protocol binding (the whole event is the JSON record value). docs/kafka.md shows one of each.
 * These names are a public contract: add types, never rename one.
 */
export const SCIM_CLOUD_EVENT_TYPES = [
  'scim.user.created',
  'scim.user.updated',
  /** An update that set `active` to false from true (or unset): most apps revoke access on this one. */
  'scim.user.deactivated',
  /** An update that set `active` to true from false. */
  'scim.user.reactivated',
  'scim.user.deleted',
  'scim.group.created',
  'scim.group.updated',
  'scim.group.members_added',
  'scim.group.members_removed',
  'scim.group.members_replaced',
  'scim.group.deleted',
] as const;

export type ScimCloudEventType = (typeof SCIM_CLOUD_EVENT_TYPES)[number];

/** CloudEvents Kafka binding, structured mode: the record's content-type header. */
export const CLOUD_EVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/**
 * The resource after the change, as a SCIM client would GET it (RFC 7643 §3.1) minus `meta.created` and
 * `meta.location`, which the event does not know. A group never carries `members` here: a membership event says
 * which members moved (`change`), and a 100,000-member list would not fit a Kafka record anyway.
 */
export interface ScimResourceRepresentation {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly meta: {
    readonly resourceType: 'User' | 'Group';
    /** When the change was decided (the event's occurredAt). */
    readonly lastModified: string;
    /** The stream revision as a weak ETag, as the gateway answers it (RFC 7644 §3.14). */
    readonly version: string;
  };
  readonly [attribute: string]: unknown;
}

/** scim.user.updated / deactivated / reactivated, scim.group.updated: the attribute-level diff. */
export interface AttributesChanged {
  readonly attributes: readonly AttributeChange[];
}
/** scim.group.members_added: members that were not in the group before. */
export interface MembersAdded {
  readonly added: readonly GroupMember[];
}
/** scim.group.members_removed: ids of members that were in the group before, and why they left. */
export interface MembersRemoved {
  readonly removed: readonly string[];
  readonly reason: 'request' | 'member-deleted';
}
/** scim.group.members_replaced: the group's whole new member list (a PUT or a `replace` of members). */
export interface MembersReplaced {
  readonly members: readonly GroupMember[];
}
/** scim.user.deleted / scim.group.deleted: the name the resource had, since `resource` is null now. */
export interface ResourceDeleted {
  readonly userName?: string;
  readonly displayName?: string;
}

export type ScimEventChange = AttributesChanged | MembersAdded | MembersRemoved | MembersReplaced | ResourceDeleted;

export interface ScimEventData {
  /** The resource after the change; null after a delete. */
  readonly resource: ScimResourceRepresentation | null;
  /** What changed; null on creation (the resource is the change). */
  readonly change: ScimEventChange | null;
  /** The resource's stream revision after this event: 0 on creation, +1 per event. Apply only increasing ones. */
  readonly revision: number;
  /** The event's position in the gateway's global log ("commit:prepare"): what a replay starts from. */
  readonly position: string;
}

/** A CloudEvents 1.0 event (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md). */
export interface ScimCloudEvent {
  readonly specversion: '1.0';
  /** The domain event's id: unique, and the same on every redelivery and replay, so consumers de-duplicate by it. */
  readonly id: string;
  /** `/tenants/<tenant>`. */
  readonly source: string;
  readonly type: ScimCloudEventType;
  /** The resource id. */
  readonly subject: string;
  /** When the change was decided (RFC 3339). */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  /** Extension: the tenant, for consumers that filter without parsing `source`. */
  readonly tenantid: string;
  /** Extension: the correlation id of the SCIM request that caused the change, when it had one. */
  readonly correlationid?: string;
  /**
   * Extension (CloudEvents "distributed tracing"): the W3C traceparent of the SCIM request that caused the change,
   * when it had one; a consumer continues that trace (docs/observability.md "Tracing").
   */
  readonly traceparent?: string;
  /** Extension (CloudEvents "distributed tracing"): the request's W3C tracestate, only beside a traceparent. */
  readonly tracestate?: string;
  /** Extension (CloudEvents "partitioning"): the Kafka key, `<tenant>:<resourceId>`. */
  readonly partitionkey: string;
  readonly data: ScimEventData;
}

/** Which topic a record goes to: `<prefix>.users` or `<prefix>.groups`. */
export type ScimTopicKind = 'users' | 'groups';

/** One record to publish: topic kind, key and value, before the topic prefix is known. */
export interface ScimKafkaRecord {
  readonly topicKind: ScimTopicKind;
  readonly key: string;
  readonly event: ScimCloudEvent;
}
