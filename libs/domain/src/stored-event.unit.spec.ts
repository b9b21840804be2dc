import { decodeGroupEvent, GROUP_EVENT_TYPES, type GroupEvent } from './group/group.events.js';
import { decodeWith, foreignEvent, type EventCatalogue } from './stored-event.js';
import { decodeUniqueKeyEvent, UNIQUE_KEY_EVENT_TYPES, type UniqueKeyEvent } from './unique-key/unique-key.decider.js';
import { decodeUserEvent, USER_EVENT_TYPES, type UserEvent } from './user/user.events.js';

const at = '2026-01-01T00:00:00.000Z';
const userId = '5b0b1f5e-0000-4000-8000-000000000001';
const groupId = '5b0b1f5e-0000-4000-8000-000000000002';

const userEvents: readonly UserEvent[] = [
  { type: 'UserCreated', data: { userId, attributes: { userName: 'ann' }, at } },
  { type: 'UserUpdated', data: { userId, changes: [{ path: ['title'], before: null, after: 'CTO' }], attributes: { userName: 'ann', title: 'CTO' }, at } },
  { type: 'UserDeleted', data: { userId, userName: 'ann', at } },
];
const groupEvents: readonly GroupEvent[] = [
  { type: 'GroupCreated', data: { groupId, attributes: { displayName: 'Engineers' }, at } },
  { type: 'GroupUpdated', data: { groupId, changes: [], attributes: { displayName: 'Builders' }, at } },
  { type: 'GroupMembersAdded', data: { groupId, members: [{ value: userId, type: 'User' }], at } },
  { type: 'GroupMembersRemoved', data: { groupId, memberIds: [userId], reason: 'request', at } },
  { type: 'GroupMembersReplaced', data: { groupId, members: [], at } },
  { type: 'GroupDeleted', data: { groupId, displayName: 'Builders', at } },
];
const uniqueKeyEvents: readonly UniqueKeyEvent[] = [
  { type: 'UniqueKeyReserved', data: { kind: 'userName', key: 'ann', ownerId: userId, at } },
  { type: 'UniqueKeyReleased', data: { kind: 'userName', key: 'ann', ownerId: userId, at } },
];

/** As the store hands an event back: type, data (parsed JSON, so a copy) and the version it was written at. */
function stored(event: { type: string; data: unknown }, schemaVersion = 1) {
  return { type: event.type, data: JSON.parse(JSON.stringify(event.data)) as unknown, schemaVersion, streamName: 'acme.somewhere' };
}

describe('decoding stored events', () => {
  it.each([
    ['user', decodeUserEvent, userEvents, USER_EVENT_TYPES],
    ['group', decodeGroupEvent, groupEvents, GROUP_EVENT_TYPES],
    ['reservation', decodeUniqueKeyEvent, uniqueKeyEvents, UNIQUE_KEY_EVENT_TYPES],
  ] as const)('decodes every %s event type at schema version 1 as it was written', (_, decode, events, types) => {
    expect(events.map((event) => event.type)).toEqual(types);
    for (const event of events) expect((decode as (s: ReturnType<typeof stored>) => unknown)(stored(event))).toEqual(event);
  });

  it("answers null for another aggregate's event and for a type nobody knows", () => {
    expect(decodeUserEvent(stored(groupEvents[0]))).toBeNull();
    expect(decodeGroupEvent(stored(userEvents[0]))).toBeNull();
    expect(decodeUniqueKeyEvent(stored(userEvents[0]))).toBeNull();
    expect(decodeUserEvent(stored({ type: 'UserFrobnicated', data: {} }))).toBeNull();
    // Inherited keys of the catalogue object are not event types.
    expect(decodeUserEvent(stored({ type: 'toString', data: {} }))).toBeNull();
  });

  it('refuses a schema version newer than it knows (a newer gateway wrote it), and one that is no version', () => {
    expect(() => decodeUserEvent(stored(userEvents[0], 2))).toThrow('UserCreated has schema version 2; this code reads versions 1 to 1');
    for (const version of [0, -1, 1.5, Number.NaN]) expect(() => decodeGroupEvent(stored(groupEvents[0], version))).toThrow(RangeError);
  });

  describe('upgrading an old schema version', () => {
    // A made-up aggregate (no real event has a second version yet): Renamed v1 {name}, v2 {fullName}, v3 {displayName, source}.
    type Renamed = { readonly type: 'Renamed'; readonly data: { readonly displayName: string; readonly source: string } };
    const catalogue: EventCatalogue<Renamed> = {
      Renamed: {
        upcasters: [
          (data) => ({ fullName: (data as { name: string }).name }),
          (data) => ({ displayName: (data as { fullName: string }).fullName, source: 'upgraded' }),
        ],
      },
    };

    it('runs every upcaster from the stored version on, in order', () => {
      expect(decodeWith(catalogue, { type: 'Renamed', schemaVersion: 1, data: { name: 'Ann' } })).toEqual({
        type: 'Renamed',
        data: { displayName: 'Ann', source: 'upgraded' },
      });
      expect(decodeWith(catalogue, { type: 'Renamed', schemaVersion: 2, data: { fullName: 'Ann' } })).toEqual({
        type: 'Renamed',
        data: { displayName: 'Ann', source: 'upgraded' },
      });
    });

    it('leaves the current version as stored', () => {
      const data = { displayName: 'Ann', source: 'written' };
      expect(decodeWith(catalogue, { type: 'Renamed', schemaVersion: 3, data })).toEqual({ type: 'Renamed', data });
      expect(() => decodeWith(catalogue, { type: 'Renamed', schemaVersion: 4, data })).toThrow('this code reads versions 1 to 3');
    });
  });

  it('foreignEvent names the event and its stream', () => {
    expect(() => foreignEvent(stored(groupEvents[0]), 'a user event')).toThrow('GroupCreated in acme.somewhere is not a user event');
  });
});
