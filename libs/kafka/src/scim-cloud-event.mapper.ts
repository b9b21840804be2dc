import { assertNever } from '#domain/decider.js';
import { decodeGroupEvent, GROUP_EVENT_TYPES, type GroupEvent } from '#domain/group/group.events.js';
import type { ScimAttributes } from '#domain/scim-resource.js';
import { decodeUserEvent, USER_EVENT_TYPES, type UserEvent } from '#domain/user/user.events.js';
import type { RecordedEvent } from '#event-store/event-store.port.js';
import { validTraceContext } from '#observability/tracing.js';
import { formatPosition } from '#event-store/event-store.port.js';
import { weakEtag } from '#scim/resource/etag.js';
import type { AttributeChange } from '#scim/resource/resource.diff.js';
import { GROUP_SCHEMA_ID } from '#scim/schema/group.schema.js';
import { USER_SCHEMA_ID } from '#scim/schema/user.schema.js';
import type {
  ScimCloudEvent,
  ScimCloudEventType,
  ScimEventChange,
  ScimKafkaRecord,
  ScimResourceRepresentation,
  ScimTopicKind,
} from './scim-cloud-event.js';
import { groupAttributesEffect } from './group-attributes.cache.js';

/** The domain event types that reach Kafka; reservation streams' UniqueKey* events never do. */
export const PUBLISHED_EVENT_TYPES: readonly string[] = [...USER_EVENT_TYPES, ...GROUP_EVENT_TYPES];

/** Membership events carry no group attributes, so whoever maps them must supply the group's as of that event. */
export function needsGroupAttributes(recorded: RecordedEvent): boolean {
  const event = decodeGroupEvent(recorded);
  return event !== null && groupAttributesEffect(event).kind === 'unchanged';
}

/**
 * One domain event as the record downstream apps receive (docs/kafka.md). Pure: everything comes from the event,
 * except a group's attributes for membership events, which the caller knows from earlier events of the stream.
 */
export function toScimKafkaRecord(recorded: RecordedEvent, groupAttributes?: ScimAttributes): ScimKafkaRecord {
  const userEvent = decodeUserEvent(recorded);
  if (userEvent) return userRecord(recorded, userEvent);
  const groupEvent = decodeGroupEvent(recorded);
  if (groupEvent) return groupRecord(recorded, groupEvent, groupAttributes);
  throw new Error(`event ${recorded.id} of type ${recorded.type} in ${recorded.streamName} is not published to Kafka`);
}

function userRecord(recorded: RecordedEvent, event: UserEvent): ScimKafkaRecord {
  const userId = event.data.userId;
  const user = (attributes: ScimAttributes) => representation('User', USER_SCHEMA_ID, userId, attributes, recorded, event.data.at);
  switch (event.type) {
    case 'UserCreated':
      return record('users', recorded, userId, 'scim.user.created', user(event.data.attributes), null);
    case 'UserUpdated':
      return record('users', recorded, userId, userUpdateType(event.data.changes), user(event.data.attributes), {
        attributes: event.data.changes,
      });
    case 'UserDeleted':
      return record('users', recorded, userId, 'scim.user.deleted', null, { userName: event.data.userName });
    default:
      return assertNever(event);
  }
}

/**
 * Deactivation gets its own type because it is the change most apps must act on (revoke sessions), and Entra
 * "soft-deletes" by PATCHing active to false (ENTRA.md). Unset counts as active, as Entra and most apps read it.
 */
function userUpdateType(changes: readonly AttributeChange[]): ScimCloudEventType {
  const active = changes.find((change) => change.path.length === 1 && change.path[0].toLowerCase() === 'active');
  if (active?.after === false && active.before !== false) return 'scim.user.deactivated';
  if (active?.after === true && active.before === false) return 'scim.user.reactivated';
  return 'scim.user.updated';
}

function groupRecord(recorded: RecordedEvent, event: GroupEvent, knownAttributes: ScimAttributes | undefined): ScimKafkaRecord {
  const groupId = event.data.groupId;
  const group = (attributes: ScimAttributes | undefined) => {
    if (attributes === undefined) {
      throw new Error(`${event.type} ${recorded.id} of group ${groupId} needs the group's attributes at revision ${recorded.revision}`);
    }
    return representation('Group', GROUP_SCHEMA_ID, groupId, withoutMembers(attributes), recorded, event.data.at);
  };
  switch (event.type) {
    case 'GroupCreated':
      return record('groups', recorded, groupId, 'scim.group.created', group(event.data.attributes), null);
    case 'GroupUpdated':
      return record('groups', recorded, groupId, 'scim.group.updated', group(event.data.attributes), { attributes: event.data.changes });
    case 'GroupMembersAdded':
      return record('groups', recorded, groupId, 'scim.group.members_added', group(knownAttributes), { added: event.data.members });
    case 'GroupMembersRemoved':
      return record('groups', recorded, groupId, 'scim.group.members_removed', group(knownAttributes), {
        removed: event.data.memberIds,
        reason: event.data.reason,
      });
    case 'GroupMembersReplaced':
      return record('groups', recorded, groupId, 'scim.group.members_replaced', group(knownAttributes), { members: event.data.members });
    case 'GroupDeleted':
      return record('groups', recorded, groupId, 'scim.group.deleted', null, { displayName: event.data.displayName });
    default:
      return assertNever(event);
  }
}

/** Group events never hold members (group.events.ts); this only keeps that promise if one ever slipped in. */
function withoutMembers(attributes: ScimAttributes): ScimAttributes {
  if (!Object.keys(attributes).some((key) => key.toLowerCase() === 'members')) return attributes;
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => key.toLowerCase() !== 'members'));
}

function representation(
  resourceType: 'User' | 'Group',
  coreSchema: string,
  id: string,
  attributes: ScimAttributes,
  recorded: RecordedEvent,
  at: string,
): ScimResourceRepresentation {
  const { schemas, id: _storedId, meta: _storedMeta, ...rest } = attributes as { schemas?: string[]; id?: unknown; meta?: unknown };
  return {
    schemas: schemas ?? [coreSchema],
    id,
    ...rest,
    meta: { resourceType, lastModified: at, version: weakEtag(recorded.revision) },
  };
}

function record(
  topicKind: ScimTopicKind,
  recorded: RecordedEvent,
  resourceId: string,
  type: ScimCloudEventType,
  resource: ScimResourceRepresentation | null,
  change: ScimEventChange | null,
): ScimKafkaRecord {
  const { tenantId, correlationId, occurredAt } = recorded.metadata;
  const key = `${tenantId}:${resourceId}`;
  const event: ScimCloudEvent = {
    specversion: '1.0',
    id: recorded.id,
    source: `/tenants/${encodeURIComponent(tenantId)}`,
    type,
    subject: resourceId,
    time: occurredAt,
    datacontenttype: 'application/json',
    tenantid: tenantId,
    ...(correlationId ? { correlationid: correlationId } : {}),
    ...validTraceContext(recorded.metadata.traceparent, recorded.metadata.tracestate),
    partitionkey: key,
    data: { resource, change, revision: Number(recorded.revision), position: formatPosition(recorded.position) },
  };
  return { topicKind, key, event };
}
