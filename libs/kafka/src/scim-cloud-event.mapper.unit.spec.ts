import type { EventMetadata, RecordedEvent } from '#event-store/event-store.port.js';
import { needsGroupAttributes, toScimKafkaRecord } from './scim-cloud-event.mapper.js';
import { SCIM_CLOUD_EVENT_TYPES, type ScimCloudEventType } from './scim-cloud-event.js';

const TENANT = 'contoso';
const USER_ID = '2819c223-7f76-453a-919d-413861904646';
const GROUP_ID = 'e9e30dba-f08f-4109-8486-d5c6a331660a';
const EVENT_ID = '6d0b54b6-7a3c-4c7b-9f5a-0a6e7f0d7a11';
const AT = '2026-03-01T10:00:00.000Z';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const METADATA: EventMetadata = {
  tenantId: TENANT,
  tokenId: 'token-1',
  requestId: 'request-1',
  correlationId: 'correlation-1',
  sourceIp: '203.0.113.7',
  userAgent: 'Azure AD SCIM',
  occurredAt: AT,
};

function given(type: string, data: unknown, revision = 0n, streamName = `${TENANT}.user-${USER_ID}`): RecordedEvent {
  return {
    id: EVENT_ID,
    type,
    schemaVersion: 1,
    data,
    metadata: METADATA,
    streamName,
    revision,
    position: { commit: 812n, prepare: 4021n },
    recordedAt: new Date(AT),
  };
}

const ann = { schemas: [CORE_USER], userName: 'ann@contoso.com', active: true, displayName: 'Ann' };
const engineers = { schemas: [CORE_GROUP], displayName: 'Engineers', externalId: 'grp-7' };
const groupStream = `${TENANT}.group-${GROUP_ID}`;

describe('toScimKafkaRecord', () => {
  it('UserCreated becomes scim.user.created with the whole user and no change', () => {
    const { topicKind, key, event } = toScimKafkaRecord(given('UserCreated', { userId: USER_ID, attributes: ann, at: AT }));
    expect(topicKind).toBe('users');
    expect(key).toBe(`${TENANT}:${USER_ID}`);
    expect(event).toEqual({
      specversion: '1.0',
      id: EVENT_ID,
      source: '/tenants/contoso',
      type: 'scim.user.created',
      subject: USER_ID,
      time: AT,
      datacontenttype: 'application/json',
      tenantid: TENANT,
      correlationid: 'correlation-1',
      partitionkey: `${TENANT}:${USER_ID}`,
      data: {
        resource: { ...ann, id: USER_ID, meta: { resourceType: 'User', lastModified: AT, version: 'W/"0"' } },
        change: null,
        revision: 0,
        position: '812:4021',
      },
    });
  });

  it('UserUpdated becomes scim.user.updated with the user after it and the attribute changes', () => {
    const changes = [{ path: ['displayName'], before: 'Ann', after: 'Ann Smith' }];
    const { event } = toScimKafkaRecord(
      given('UserUpdated', { userId: USER_ID, changes, attributes: { ...ann, displayName: 'Ann Smith' }, at: AT }, 3n),
    );
    expect(event.type).toBe('scim.user.updated');
    expect(event.data).toEqual({
      resource: { ...ann, displayName: 'Ann Smith', id: USER_ID, meta: { resourceType: 'User', lastModified: AT, version: 'W/"3"' } },
      change: { attributes: changes },
      revision: 3,
      position: '812:4021',
    });
  });

  it.each([
    ['true to false', true, false],
    ['unset to false', undefined, false],
  ])('an update setting active from %s is scim.user.deactivated', (_, before, after) => {
    const changes = [{ path: ['active'], ...(before === undefined ? {} : { before }), after }];
    const { event } = toScimKafkaRecord(given('UserUpdated', { userId: USER_ID, changes, attributes: { ...ann, active: after }, at: AT }, 1n));
    expect(event.type).toBe('scim.user.deactivated');
    expect(event.data.change).toEqual({ attributes: changes });
    expect(event.data.resource).toMatchObject({ active: false });
  });

  it('an update setting active from false to true is scim.user.reactivated', () => {
    const changes = [{ path: ['active'], before: false, after: true }, { path: ['title'], after: 'CTO' }];
    const { event } = toScimKafkaRecord(given('UserUpdated', { userId: USER_ID, changes, attributes: { ...ann, title: 'CTO' }, at: AT }, 2n));
    expect(event.type).toBe('scim.user.reactivated');
  });

  it('UserDeleted becomes scim.user.deleted with no resource and the userName it had', () => {
    const { topicKind, event } = toScimKafkaRecord(given('UserDeleted', { userId: USER_ID, userName: 'ann@contoso.com', at: AT }, 4n));
    expect(topicKind).toBe('users');
    expect(event.type).toBe('scim.user.deleted');
    expect(event.subject).toBe(USER_ID);
    expect(event.data).toEqual({ resource: null, change: { userName: 'ann@contoso.com' }, revision: 4, position: '812:4021' });
  });

  it('GroupCreated becomes scim.group.created on the groups topic', () => {
    const { topicKind, key, event } = toScimKafkaRecord(given('GroupCreated', { groupId: GROUP_ID, attributes: engineers, at: AT }, 0n, groupStream));
    expect(topicKind).toBe('groups');
    expect(key).toBe(`${TENANT}:${GROUP_ID}`);
    expect(event.type).toBe('scim.group.created');
    expect(event.subject).toBe(GROUP_ID);
    expect(event.data.resource).toEqual({ ...engineers, id: GROUP_ID, meta: { resourceType: 'Group', lastModified: AT, version: 'W/"0"' } });
    expect(event.data.change).toBeNull();
  });

  it('GroupUpdated becomes scim.group.updated with the changes', () => {
    const changes = [{ path: ['displayName'], before: 'Engineers', after: 'Engineering' }];
    const { event } = toScimKafkaRecord(
      given('GroupUpdated', { groupId: GROUP_ID, changes, attributes: { ...engineers, displayName: 'Engineering' }, at: AT }, 5n, groupStream),
    );
    expect(event.type).toBe('scim.group.updated');
    expect(event.data.resource).toMatchObject({ displayName: 'Engineering', meta: { version: 'W/"5"' } });
    expect(event.data.change).toEqual({ attributes: changes });
  });

  it('GroupMembersAdded becomes scim.group.members_added: the group (without members) and the members added', () => {
    const members = [{ value: USER_ID, type: 'User' as const, display: 'Ann' }];
    const recorded = given('GroupMembersAdded', { groupId: GROUP_ID, members, at: AT }, 1n, groupStream);
    expect(needsGroupAttributes(recorded)).toBe(true);
    const { event } = toScimKafkaRecord(recorded, engineers);
    expect(event.type).toBe('scim.group.members_added');
    expect(event.data.resource).toEqual({ ...engineers, id: GROUP_ID, meta: { resourceType: 'Group', lastModified: AT, version: 'W/"1"' } });
    expect(event.data.change).toEqual({ added: members });
  });

  it('GroupMembersRemoved becomes scim.group.members_removed with the ids and the reason', () => {
    const { event } = toScimKafkaRecord(
      given('GroupMembersRemoved', { groupId: GROUP_ID, memberIds: [USER_ID], reason: 'member-deleted', at: AT }, 2n, groupStream),
      engineers,
    );
    expect(event.type).toBe('scim.group.members_removed');
    expect(event.data.change).toEqual({ removed: [USER_ID], reason: 'member-deleted' });
    expect(event.data.resource).not.toHaveProperty('members');
  });

  it('GroupMembersReplaced becomes scim.group.members_replaced with the whole new list', () => {
    const members = [{ value: USER_ID }, { value: '7d1f2b9c-0000-4000-8000-000000000001', type: 'Group' as const }];
    const { event } = toScimKafkaRecord(given('GroupMembersReplaced', { groupId: GROUP_ID, members, at: AT }, 3n, groupStream), engineers);
    expect(event.type).toBe('scim.group.members_replaced');
    expect(event.data.change).toEqual({ members });
  });

  it('GroupDeleted becomes scim.group.deleted with no resource and the displayName it had', () => {
    const { event } = toScimKafkaRecord(given('GroupDeleted', { groupId: GROUP_ID, displayName: 'Engineers', at: AT }, 6n, groupStream));
    expect(event.type).toBe('scim.group.deleted');
    expect(event.data).toEqual({ resource: null, change: { displayName: 'Engineers' }, revision: 6, position: '812:4021' });
  });

  it('refuses a membership event without the group attributes rather than publish a group with none', () => {
    expect(() => toScimKafkaRecord(given('GroupMembersAdded', { groupId: GROUP_ID, members: [], at: AT }, 1n, groupStream))).toThrow(
      /needs the group's attributes/,
    );
  });

  it('refuses events that are not published (reservation streams)', () => {
    expect(() =>
      toScimKafkaRecord(given('UniqueKeyReserved', { kind: 'userName', key: 'ann', ownerId: USER_ID, at: AT }, 0n, `${TENANT}.unique-userName-ann`)),
    ).toThrow(/not published/);
  });

  it('leaves out the correlation id extension when the request had none, and never leaks the actor (IP, agent, token)', () => {
    const recorded = { ...given('UserCreated', { userId: USER_ID, attributes: ann, at: AT }), metadata: { ...METADATA, correlationId: null } };
    const { event } = toScimKafkaRecord(recorded);
    expect(event).not.toHaveProperty('correlationid');
    expect(JSON.stringify(event)).not.toMatch(/203\.0\.113\.7|Azure AD SCIM|token-1/);
  });

  it('carries the request\'s trace context as the CloudEvents distributed-tracing extension, and only a valid one', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const created = given('UserCreated', { userId: USER_ID, attributes: ann, at: AT });
    expect(toScimKafkaRecord({ ...created, metadata: { ...METADATA, traceparent, tracestate: 'vendor=abc' } }).event).toMatchObject({ traceparent, tracestate: 'vendor=abc' });
    const withoutState = toScimKafkaRecord({ ...created, metadata: { ...METADATA, traceparent } }).event;
    expect(withoutState.traceparent).toBe(traceparent);
    expect(withoutState).not.toHaveProperty('tracestate');
    // Events recorded before issue 14 have none; a store written by another tool might hold anything.
    for (const metadata of [METADATA, { ...METADATA, traceparent: 'ff-bogus', tracestate: 'vendor=abc' }]) {
      const { event } = toScimKafkaRecord({ ...created, metadata });
      expect(event).not.toHaveProperty('traceparent');
      expect(event).not.toHaveProperty('tracestate');
    }
  });

  it('covers every published type', () => {
    const covered: ScimCloudEventType[] = [
      'scim.user.created', 'scim.user.updated', 'scim.user.deactivated', 'scim.user.reactivated', 'scim.user.deleted',
      'scim.group.created', 'scim.group.updated', 'scim.group.members_added', 'scim.group.members_removed',
      'scim.group.members_replaced', 'scim.group.deleted',
    ];
    expect([...covered].sort()).toEqual([...SCIM_CLOUD_EVENT_TYPES].sort());
  });
});
