import { deciderSpec } from '#testing/given-when-then.js';
import { normaliseUniqueKey, uniqueKeyDecider, type UniqueKeyEvent } from './unique-key.decider.js';

const at = '2026-11-23T10:00:00.000Z';
const reservedByA: UniqueKeyEvent = { type: 'UniqueKeyReserved', data: { kind: 'userName', key: 'ann', ownerId: 'a', at } };
const releasedByA: UniqueKeyEvent = { type: 'UniqueKeyReleased', data: { kind: 'userName', key: 'ann', ownerId: 'a', at } };
const spec = deciderSpec(uniqueKeyDecider);
const reserve = (ownerId: string) => ({ type: 'ReserveUniqueKey' as const, kind: 'userName' as const, key: 'ann', ownerId, at });
const release = (ownerId: string) => ({ type: 'ReleaseUniqueKey' as const, kind: 'userName' as const, key: 'ann', ownerId, at });

describe('unique key decider', () => {
  it('reserves a free key', () => spec.given([]).when(reserve('a')).then([reservedByA]));
  it('refuses a key held by another owner with 409 uniqueness', () =>
    spec.given([reservedByA]).when(reserve('b')).thenThrows({ status: 409, scimType: 'uniqueness', detail: /userName "ann" is already in use/ }));
  it('is idempotent for the owner', () => spec.given([reservedByA]).when(reserve('a')).then([]));
  it('lets the owner release', () => spec.given([reservedByA]).when(release('a')).then([releasedByA]));
  it('ignores a release by someone else', () => spec.given([reservedByA]).when(release('b')).then([]));
  it('lets a released key be reserved again', () =>
    spec.given([reservedByA, releasedByA]).when(reserve('b')).then([
      { type: 'UniqueKeyReserved', data: { kind: 'userName', key: 'ann', ownerId: 'b', at } },
    ]));

  it.each([
    ['userName', 'Ann', 'ann'],
    ['groupDisplayName', 'Sales', 'sales'],
    ['userExternalId', 'AbC', 'AbC'],
  ] as const)('normalises %s "%s" to "%s"', (kind, value, expected) => {
    expect(normaliseUniqueKey(kind, value)).toBe(expected);
  });
});
