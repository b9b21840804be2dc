import { describe, expect, it } from '@jest/globals';
import { describeChange } from './diff.js';
import { resourceOfStream, timelineOf, type HistoryEvent } from './timeline.js';

let revision = 0;
function event(type: string, data: Record<string, unknown>): HistoryEvent {
  const at = new Date(Date.UTC(2030, 0, 31, 9, 0, revision)).toISOString();
  return {
    revision: String(revision++),
    position: `${revision}:${revision}`,
    eventId: `e-${revision}`,
    type,
    schemaVersion: 1,
    recordedAt: at,
    occurredAt: at,
    tokenId: 't-1',
    sourceIp: '203.0.113.7',
    userAgent: null,
    requestId: null,
    correlationId: null,
    traceparent: null,
    data,
    hash: null,
    previousHash: null,
  };
}

const lines = (item: { diff: { changes: readonly Parameters<typeof describeChange>[0][] } }) => item.diff.changes.map(describeChange);

describe('a user’s timeline', () => {
  it('says what each event changed, from the states the events record', () => {
    const ann = { userName: 'ann@contoso.com', active: true, name: { givenName: 'Ann' } };
    const timeline = timelineOf([
      event('UserCreated', { userId: 'u-1', attributes: ann }),
      event('UserUpdated', { userId: 'u-1', changes: [{ path: ['active'], before: true, after: false }], attributes: { ...ann, active: false } }),
      event('UserUpdated', { userId: 'u-1', changes: [], attributes: { ...ann, active: false, displayName: 'Ann Smith' } }),
      event('UserDeleted', { userId: 'u-1', userName: 'ann@contoso.com' }),
    ]);
    expect(timeline.map((item) => item.summary)).toEqual(['created', 'updated', 'updated', 'deleted (its userName was "ann@contoso.com")']);
    expect(lines(timeline[0]!)).toEqual(['userName added: "ann@contoso.com"', 'active added: true', 'name.givenName added: "Ann"']);
    expect(lines(timeline[1]!)).toEqual(['active: true → false']);
    expect(lines(timeline[2]!)).toEqual(['displayName added: "Ann Smith"']);
    expect(timeline[3]!.diff.total).toBe(0);
  });

  it('an event type it does not know is listed by its type, with no change claimed', () => {
    const [item] = timelineOf([event('UserMerged', { into: 'u-2' })]);
    expect(item).toMatchObject({ summary: 'UserMerged', diff: { changes: [], total: 0 } });
  });
});

describe('a group’s timeline', () => {
  it('folds the members from the membership events: added, removed (with who they were), replaced', () => {
    const ann = { value: 'u-1', type: 'User', display: 'Ann' };
    const bob = { value: 'u-2', type: 'User', display: 'Bob' };
    const cid = { value: 'u-3', type: 'User' };
    const timeline = timelineOf([
      event('GroupCreated', { groupId: 'g-1', attributes: { displayName: 'Sales' } }),
      event('GroupMembersAdded', { groupId: 'g-1', members: [ann, bob] }),
      event('GroupUpdated', { groupId: 'g-1', changes: [], attributes: { displayName: 'Sales EMEA' } }),
      event('GroupMembersRemoved', { groupId: 'g-1', memberIds: ['u-1'], reason: 'member-deleted' }),
      event('GroupMembersReplaced', { groupId: 'g-1', members: [bob, cid] }),
    ]);
    expect(timeline.map((item) => item.summary)).toEqual([
      'created',
      '2 members added',
      'updated',
      '1 member removed (the member was deleted)',
      'members replaced (2 members now)',
    ]);
    expect(lines(timeline[0]!)).toEqual(['displayName added: "Sales"']);
    expect(lines(timeline[1]!)).toEqual([`members[value eq "u-1"] added: ${JSON.stringify(ann)}`, `members[value eq "u-2"] added: ${JSON.stringify(bob)}`]);
    expect(lines(timeline[2]!)).toEqual(['displayName: "Sales" → "Sales EMEA"']);
    expect(lines(timeline[3]!)).toEqual([`members[value eq "u-1"] removed (was ${JSON.stringify(ann)})`]);
    // Bob stays; Cid joins. Ann left before, so the replace does not list her again.
    expect(lines(timeline[4]!)).toEqual([`members[value eq "u-3"] added: ${JSON.stringify(cid)}`]);
  });

  it('a removed member the events never added is named by its id', () => {
    const timeline = timelineOf([event('GroupCreated', { groupId: 'g', attributes: {} }), event('GroupMembersRemoved', { groupId: 'g', memberIds: ['x'], reason: 'request' })]);
    expect(lines(timeline[1]!)).toEqual(['members[value eq "x"] removed (was {"value":"x"})']);
  });
});

describe('streams of the export and of verification', () => {
  it('finds the user or group a stream holds, and nothing in a reservation stream or another tenant’s', () => {
    expect(resourceOfStream('contoso', 'contoso.user-2819c223')).toEqual({ resourceType: 'Users', id: '2819c223' });
    expect(resourceOfStream('contoso', 'contoso.group-g-1')).toEqual({ resourceType: 'Groups', id: 'g-1' });
    expect(resourceOfStream('contoso', 'contoso.unique-userName-ann')).toBeNull();
    expect(resourceOfStream('contoso', 'fabrikam.user-1')).toBeNull();
  });
});
