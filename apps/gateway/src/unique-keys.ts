import type { ScimAttributes } from '#domain/scim-resource.js';
import { streamNames } from '#domain/stream-names.js';
import { normaliseUniqueKey, undoUniqueKeyEvents, uniqueKeyDecider, type UniqueKeyKind } from '#domain/unique-key/unique-key.decider.js';
import { decision, type StreamDecision } from '#event-store/command.loop.js';
import type { ResourceTypeName } from '#scim/schema/resource-type.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';

export interface UniqueKey {
  readonly kind: UniqueKeyKind;
  readonly key: string;
}

/**
 * The reservation kind of each attribute a schema may declare unique. The kinds name the reservation streams
 * (`<tenant>.unique-<kind>-<key>`, libs/domain/src/stream-names.ts), so they stay as they are for existing data.
 */
const RESERVATION_KINDS: Readonly<Record<ResourceTypeName, Readonly<Record<string, UniqueKeyKind>>>> = {
  User: { username: 'userName', externalid: 'userExternalId' },
  Group: { displayname: 'groupDisplayName', externalid: 'groupExternalId' },
};

/**
 * The attributes the write side keeps unique for this resource type: exactly those whose `uniqueness` the
 * registry (the tenant's, as `/Schemas` serves it) declares `server` (docs/decisions.md "Uniqueness comes from
 * the schema"). `id` is left out: the server assigns it, unique by construction. An attribute declared unique
 * without a reservation kind is our bug (extension schemas cannot declare it: schema-registry.loader.ts), and is
 * reported rather than silently left unenforced.
 */
export function uniqueAttributesOf(registry: SchemaRegistry, resourceType: ResourceTypeName): { readonly name: string; readonly kind: UniqueKeyKind }[] {
  const declared = [
    ...registry.topLevelAttributes(resourceType).filter((attribute) => attribute.mutability !== 'readOnly'),
    ...registry.extensionSchemas(resourceType).flatMap((schema) => schema.attributes),
  ].filter((attribute) => attribute.uniqueness !== 'none');
  return declared.map(({ name, uniqueness }) => {
    const kind = RESERVATION_KINDS[resourceType][name.toLowerCase()];
    if (!kind) throw new Error(`${resourceType} attribute ${name} is declared uniqueness "${uniqueness}", but the write side has no reservation for it`);
    return { name, kind };
  });
}

/**
 * The keys a resource with these attributes holds: one per unique attribute with a value, normalised as the
 * attribute compares (userName and displayName case-insensitively, externalId exactly). A match query on any of
 * them can then never return two resources.
 */
export function uniqueKeysOf(registry: SchemaRegistry, resourceType: ResourceTypeName, attributes: ScimAttributes): UniqueKey[] {
  return uniqueAttributesOf(registry, resourceType).flatMap(({ name, kind }) => {
    const value = attributes[name];
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
