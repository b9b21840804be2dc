import type { ScimAttributes } from '#domain/scim-resource.js';
import { streamNames } from '#domain/stream-names.js';
import { normaliseUniqueKey, undoUniqueKeyEvents, uniqueKeyDecider, type UniqueKeyKind } from '#domain/unique-key/unique-key.decider.js';
import { decision, type StreamDecision } from '#event-store/command.loop.js';

interface UniqueKey {
  readonly kind: UniqueKeyKind;
  readonly key: string;
}

/**
 * The keys Entra matches on, unique per tenant (DESIGN.md "Uniqueness is decided on the write side"): a user's
 * userName and externalId, a group's displayName and externalId. A match query can then never return two.
 */
export const uniqueKeysOf = {
  user(attributes: ScimAttributes): UniqueKey[] {
    return keys(attributes, [
      ['userName', 'userName'],
      ['externalId', 'userExternalId'],
    ]);
  },
  group(attributes: ScimAttributes): UniqueKey[] {
    return keys(attributes, [
      ['displayName', 'groupDisplayName'],
      ['externalId', 'groupExternalId'],
    ]);
  },
};

function keys(attributes: ScimAttributes, attributeKinds: readonly [string, UniqueKeyKind][]): UniqueKey[] {
  return attributeKinds.flatMap(([attribute, kind]) => {
    const value = attributes[attribute];
    return typeof value === 'string' ? [{ kind, key: normaliseUniqueKey(kind, value) }] : [];
  });
}

/** Decisions that move an owner's reservations from the keys it `held` to the keys it `wants` (either may be empty). */
export function uniqueKeyDecisions(tenantId: string, ownerId: string, held: readonly UniqueKey[], wanted: readonly UniqueKey[], at: string): StreamDecision[] {
  const same = (a: UniqueKey, b: UniqueKey) => a.kind === b.kind && a.key === b.key;
  const releases = held
    .filter((key) => !wanted.some((w) => same(w, key)))
    .map(({ kind, key }) => decision(streamNames.uniqueKey(tenantId, kind, key), uniqueKeyDecider, { type: 'ReleaseUniqueKey', kind, key, ownerId, at }));
  const reservations = wanted
    .filter((key) => !held.some((h) => same(h, key)))
    .map(({ kind, key }) =>
      decision(streamNames.uniqueKey(tenantId, kind, key), uniqueKeyDecider, { type: 'ReserveUniqueKey', kind, key, ownerId, at }, { compensate: undoUniqueKeyEvents }),
    );
  return [...releases, ...reservations];
}
