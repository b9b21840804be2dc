import type { ScimAttributes } from '#domain/scim-resource.js';
import { streamNames } from '#domain/stream-names.js';
import { normaliseUniqueKey, uniqueKeyDecider, type UniqueKeyKind } from '#domain/unique-key/unique-key.decider.js';
import { decision, type StreamDecision } from '#event-store/command.loop.js';

/**
 * The keys Entra matches users on, unique per tenant (DESIGN.md "Uniqueness is decided on the write side"):
 * userName always, externalId when present.
 */
function userKeys(attributes: ScimAttributes): { kind: UniqueKeyKind; key: string }[] {
  const keys: { kind: UniqueKeyKind; key: string }[] = [];
  if (typeof attributes['userName'] === 'string') keys.push({ kind: 'userName', key: normaliseUniqueKey('userName', attributes['userName']) });
  if (typeof attributes['externalId'] === 'string') {
    keys.push({ kind: 'userExternalId', key: normaliseUniqueKey('userExternalId', attributes['externalId']) });
  }
  return keys;
}

/** Decisions that move a user's key reservations from `before` to `after` (either may be null). */
export function userKeyDecisions(
  tenantId: string,
  userId: string,
  before: ScimAttributes | null,
  after: ScimAttributes | null,
  at: string,
): StreamDecision[] {
  const held = before ? userKeys(before) : [];
  const wanted = after ? userKeys(after) : [];
  const same = (a: { kind: string; key: string }, b: { kind: string; key: string }) => a.kind === b.kind && a.key === b.key;
  const releases = held
    .filter((key) => !wanted.some((w) => same(w, key)))
    .map(({ kind, key }) =>
      decision(streamNames.uniqueKey(tenantId, kind, key), uniqueKeyDecider, { type: 'ReleaseUniqueKey', kind, key, ownerId: userId, at }),
    );
  const reservations = wanted
    .filter((key) => !held.some((h) => same(h, key)))
    .map(({ kind, key }) =>
      decision(streamNames.uniqueKey(tenantId, kind, key), uniqueKeyDecider, { type: 'ReserveUniqueKey', kind, key, ownerId: userId, at }),
    );
  return [...releases, ...reservations];
}
