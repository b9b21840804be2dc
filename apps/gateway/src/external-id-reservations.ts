import type { DataSource } from 'typeorm';
import { groupDecider, type GroupState } from '#domain/group/group.decider.js';
import { assertNever } from '#domain/decider.js';
import { foreignEvent } from '#domain/stored-event.js';
import { streamNames } from '#domain/stream-names.js';
import {
  decodeUniqueKeyEvent,
  normaliseUniqueKey,
  undoUniqueKeyEvents,
  UNIQUE_KEY_EVENT_TYPES,
  uniqueKeyDecider,
  type UniqueKeyKind,
  type UniqueKeyState,
} from '#domain/unique-key/unique-key.decider.js';
import { userDecider, type UserState } from '#domain/user/user.decider.js';
import { decision, type StreamDecision, type StreamLoader } from '#event-store/command.loop.js';
import { START, type EventStore } from '#event-store/event-store.port.js';
import type { ResourceTypeName } from '#scim/schema/resource-type.js';
import { ScimError } from '#scim/scim-error.js';
import type { CommandRunner } from './commands/command.runner.js';
import type { ScimCallContext } from './http/request-context.js';
import type { ReadModelProgress } from './projections/read-model.progress.js';

/** Resources of one type that share one externalId. */
export interface ExternalIdConflict {
  readonly resourceType: ResourceTypeName;
  readonly externalId: string;
  readonly ids: readonly string[];
}

/** The conflicts found, the first ones listed (at most CONFLICTS_LISTED ids in all) and how many there are. */
export interface ExternalIdConflicts {
  readonly listed: readonly ExternalIdConflict[];
  readonly externalIds: number;
  readonly resources: number;
}

export const CONFLICTS_LISTED = 100;

const KIND_OF: Readonly<Record<ResourceTypeName, UniqueKeyKind>> = { User: 'userExternalId', Group: 'groupExternalId' };
const TYPE_OF: Readonly<Partial<Record<UniqueKeyKind, ResourceTypeName>>> = { userExternalId: 'User', groupExternalId: 'Group' };
/** Streams per command: one append of this many reservations (and as many conditions) stays small. */
const BATCH = 100;
const READ_PAGE = 1_000;

interface Resource {
  readonly resourceType: ResourceTypeName;
  readonly id: string;
  readonly externalId: string;
}

interface Reservation {
  readonly streamName: string;
  readonly kind: UniqueKeyKind;
  readonly key: string;
  readonly ownerId: string;
}

/**
 * What turning a tenant's externalId uniqueness on or off does to its reservation streams (docs/admin.md "Tenant
 * settings"). Every change is an event in the reservation streams the write side uses (`<tenant>.unique-
 * userExternalId-<key>`, `...groupExternalId-...`), with the admin request's metadata: nothing is deleted, and the
 * history shows who reserved or released each key and when.
 */
export class ExternalIdReservations {
  constructor(
    private readonly store: EventStore,
    private readonly readModel: DataSource,
    private readonly progress: ReadModelProgress,
    private readonly commands: CommandRunner,
  ) {}

  /**
   * Resources of one type sharing an externalId, from the read model once it has every committed write (a 503
   * when it cannot catch up in time: an answer from a lagging read model could miss a duplicate).
   */
  async duplicates(tenantId: string): Promise<ExternalIdConflicts> {
    await this.catchUp();
    const rows: { resource_type: ResourceTypeName; external_id: string; ids: string[]; external_ids: number; resources: number }[] = await this.readModel.query(
      `WITH shared AS (
         SELECT 'User' AS resource_type, external_id, array_agg(id ORDER BY id) AS ids FROM scim_users
          WHERE tenant_id = $1 AND external_id IS NOT NULL GROUP BY external_id HAVING count(*) > 1
         UNION ALL
         SELECT 'Group', external_id, array_agg(id ORDER BY id) FROM scim_groups
          WHERE tenant_id = $1 AND external_id IS NOT NULL GROUP BY external_id HAVING count(*) > 1
       )
       SELECT resource_type, external_id, ids, count(*) OVER ()::int AS external_ids, sum(cardinality(ids)) OVER ()::int AS resources
         FROM shared ORDER BY resource_type DESC, external_id LIMIT $2`,
      [tenantId, CONFLICTS_LISTED],
    );
    return {
      listed: limitIds(rows.map((row) => ({ resourceType: row.resource_type, externalId: row.external_id, ids: row.ids }))),
      externalIds: rows[0]?.external_ids ?? 0,
      resources: rows[0]?.resources ?? 0,
    };
  }

  /**
   * Reserves the externalId of every resource that has one, for a tenant whose setting is already `server` (so
   * every write from now on reserves its own). A reservation left by a resource that no longer has that value (or
   * no longer exists) is released first: stale keys never block. Each reservation depends on the resource's
   * stream, so a resource changed meanwhile is decided again on its new value. Returns the conflicts (two live
   * resources with one value) instead of failing on the first.
   */
  async reserveAll(context: ScimCallContext): Promise<{ reserved: number; released: number; conflicts: ExternalIdConflicts }> {
    await this.catchUp();
    const tenantId = context.tenantId;
    const resources = await this.resourcesWithExternalId(tenantId);
    const wanted = new Map(resources.map((resource) => [reservationStream(tenantId, resource), resource]));
    // Reservations whose owner does not (as far as the read model knows) want them: released if truly stale.
    const suspects = [...(await this.heldReservations(tenantId)).values()].filter((held) => wanted.get(held.streamName)?.id !== held.ownerId);
    let released = await this.releaseStale(context, suspects);
    let reserved = 0;
    const conflicts: ExternalIdConflict[] = [];
    const sharing = new Map<string, Resource[]>();
    for (const resource of resources) {
      const streamName = reservationStream(tenantId, resource);
      sharing.set(streamName, [...(sharing.get(streamName) ?? []), resource]);
    }
    let pending = [...sharing.values()].filter((group) => {
      if (group.length === 1) return true;
      conflicts.push({ resourceType: group[0].resourceType, externalId: group[0].externalId, ids: group.map((resource) => resource.id).sort() });
      return false;
    }).map(([resource]) => resource);
    // A key found held by a stale owner is released in one round and reserved in the next.
    for (let round = 0; pending.length > 0 && round < 3; round++) {
      const retry: Resource[] = [];
      for (const batch of chunks(pending, BATCH)) {
        const outcome = await this.reserveBatch(context, batch);
        reserved += outcome.reserved;
        released += outcome.released;
        conflicts.push(...outcome.conflicts);
        retry.push(...outcome.retry);
      }
      pending = retry;
    }
    for (const resource of pending) conflicts.push({ resourceType: resource.resourceType, externalId: resource.externalId, ids: [resource.id] });
    return { reserved, released, conflicts: summarise(conflicts) };
  }

  /** Releases every externalId reservation the tenant holds (UniqueKeyReleased by its owner); returns how many. */
  async releaseAll(context: ScimCallContext): Promise<number> {
    const held = [...(await this.heldReservations(context.tenantId)).values()];
    let released = 0;
    for (const batch of chunks(held, BATCH)) {
      const outcome = await this.commands.run(context, async () => batch.map((reservation) => release(reservation, context)));
      released += countEvents(outcome.streams.values());
    }
    return released;
  }

  private async catchUp(): Promise<void> {
    if (!(await this.progress.waitFor(await this.store.headPosition()))) {
      throw new ScimError(503, undefined, 'the read model is behind the event store; retry when it has caught up (GET /ready)');
    }
  }

  /** The tenant's externalId reservation streams and their current owners, folded from the log. */
  private async heldReservations(tenantId: string): Promise<Map<string, Reservation>> {
    const held = new Map<string, Reservation>();
    const streamPrefixes = Object.values(KIND_OF).map((kind) => streamNames.uniqueKey(tenantId, kind, ''));
    for (let after = START; ; ) {
      const events = await this.store.readAll({ after, maxCount: READ_PAGE, streamPrefixes, eventTypes: UNIQUE_KEY_EVENT_TYPES });
      if (events.length === 0) return held;
      for (const recorded of events) {
        const event = decodeUniqueKeyEvent(recorded) ?? foreignEvent(recorded, 'a reservation event');
        switch (event.type) {
          case 'UniqueKeyReserved':
            held.set(recorded.streamName, { streamName: recorded.streamName, ...event.data });
            break;
          case 'UniqueKeyReleased':
            held.delete(recorded.streamName);
            break;
          default:
            assertNever(event);
        }
      }
      after = events[events.length - 1].position;
    }
  }

  private async resourcesWithExternalId(tenantId: string): Promise<Resource[]> {
    const rows: { resource_type: ResourceTypeName; id: string; external_id: string }[] = await this.readModel.query(
      `SELECT 'User' AS resource_type, id, external_id FROM scim_users WHERE tenant_id = $1 AND external_id IS NOT NULL
       UNION ALL
       SELECT 'Group', id, external_id FROM scim_groups WHERE tenant_id = $1 AND external_id IS NOT NULL`,
      [tenantId],
    );
    return rows.map((row) => ({ resourceType: row.resource_type, id: row.id, externalId: row.external_id }));
  }

  /** Releases the suspects whose owner, read from its own stream, no longer has that externalId. */
  private async releaseStale(context: ScimCallContext, suspects: readonly Reservation[]): Promise<number> {
    let released = 0;
    for (const batch of chunks(suspects, BATCH)) {
      const outcome = await this.commands.run(context, async (loader) => {
        const owners = await loadResources(loader, context.tenantId, batch.map((reservation) => ({ resourceType: TYPE_OF[reservation.kind]!, id: reservation.ownerId })));
        return batch.filter((reservation, index) => !holds(owners[index], reservation)).map((reservation) => release(reservation, context));
      });
      released += countEvents(outcome.streams.values());
    }
    return released;
  }

  /** One command: reserve each resource's key, checked against the resource's current stream and the key's owner. */
  private async reserveBatch(context: ScimCallContext, batch: readonly Resource[]) {
    const tenantId = context.tenantId;
    let conflicts: ExternalIdConflict[] = [];
    let retry: Resource[] = [];
    const outcome = await this.commands.run(context, async (loader) => {
      conflicts = [];
      retry = [];
      const streams = batch.map((resource) => reservationStream(tenantId, resource));
      const [current, keys] = await Promise.all([loadResources(loader, tenantId, batch), loader.dependOn<UniqueKeyState>(streams, uniqueKeyDecider)]);
      const decisions: StreamDecision[] = [];
      const takenBy: { resource: Resource; owner: Resource; streamName: string }[] = [];
      batch.forEach((resource, index) => {
        const attributes = current[index];
        // Changed or deleted since the read model said so: its own write reserved (or released) what it has now.
        if (attributes === null || attributes.externalId !== resource.externalId) return;
        const ownerId = keys[index].state.ownerId;
        if (ownerId === resource.id) return;
        if (ownerId === null) decisions.push(reserve(streams[index], resource, context));
        else takenBy.push({ resource, owner: { ...resource, id: ownerId }, streamName: streams[index] });
      });
      const owners = await loadResources(loader, tenantId, takenBy.map(({ owner }) => owner));
      takenBy.forEach(({ resource, owner, streamName }, index) => {
        const ownerAttributes = owners[index];
        if (ownerAttributes !== null && ownerAttributes.externalId === resource.externalId) {
          conflicts.push({ resourceType: resource.resourceType, externalId: resource.externalId, ids: [owner.id, resource.id].sort() });
        } else {
          decisions.push(release({ streamName, kind: KIND_OF[resource.resourceType], key: normaliseUniqueKey(KIND_OF[resource.resourceType], resource.externalId), ownerId: owner.id }, context));
          retry.push(resource);
        }
      });
      return decisions;
    });
    const reserved = [...outcome.streams.values()].filter((stream) => stream.events.some((event) => event.type === 'UniqueKeyReserved')).length;
    const released = [...outcome.streams.values()].filter((stream) => stream.events.some((event) => event.type === 'UniqueKeyReleased')).length;
    return { reserved, released, conflicts, retry };
  }
}

function reservationStream(tenantId: string, resource: Resource): string {
  const kind = KIND_OF[resource.resourceType];
  return streamNames.uniqueKey(tenantId, kind, normaliseUniqueKey(kind, resource.externalId));
}

/** Each resource's current attributes (null: absent), from its stream; the command depends on each. */
async function loadResources(loader: StreamLoader, tenantId: string, resources: readonly Pick<Resource, 'resourceType' | 'id'>[]): Promise<({ externalId: unknown } | null)[]> {
  const users = resources.filter((resource) => resource.resourceType === 'User').map((resource) => streamNames.user(tenantId, resource.id));
  const groups = resources.filter((resource) => resource.resourceType === 'Group').map((resource) => streamNames.group(tenantId, resource.id));
  const [userStates, groupStates] = await Promise.all([loader.dependOn<UserState>(users, userDecider), loader.dependOn<GroupState>(groups, groupDecider)]);
  const byStream = new Map<string, UserState | GroupState>([
    ...users.map((name, index) => [name, userStates[index].state] as const),
    ...groups.map((name, index) => [name, groupStates[index].state] as const),
  ]);
  return resources.map((resource) => {
    const state = byStream.get(resource.resourceType === 'User' ? streamNames.user(tenantId, resource.id) : streamNames.group(tenantId, resource.id))!;
    return state.status === 'present' ? { externalId: state.attributes.externalId } : null;
  });
}

function holds(attributes: { externalId: unknown } | null, reservation: Reservation): boolean {
  return attributes !== null && typeof attributes.externalId === 'string' && normaliseUniqueKey(reservation.kind, attributes.externalId) === reservation.key;
}

function reserve(streamName: string, resource: Resource, context: ScimCallContext): StreamDecision {
  const kind = KIND_OF[resource.resourceType];
  const key = normaliseUniqueKey(kind, resource.externalId);
  return decision(streamName, uniqueKeyDecider, { type: 'ReserveUniqueKey', kind, key, ownerId: resource.id, at: context.metadata.occurredAt }, { compensate: undoUniqueKeyEvents });
}

function release({ streamName, kind, key, ownerId }: Reservation, context: ScimCallContext): StreamDecision {
  return decision(streamName, uniqueKeyDecider, { type: 'ReleaseUniqueKey', kind, key, ownerId, at: context.metadata.occurredAt });
}

function countEvents(streams: Iterable<{ readonly events: readonly unknown[] }>): number {
  let count = 0;
  for (const stream of streams) count += stream.events.length;
  return count;
}

function summarise(conflicts: readonly ExternalIdConflict[]): ExternalIdConflicts {
  const sorted = [...conflicts].sort((a, b) => b.resourceType.localeCompare(a.resourceType) || a.externalId.localeCompare(b.externalId));
  return { listed: limitIds(sorted), externalIds: conflicts.length, resources: conflicts.reduce((sum, conflict) => sum + conflict.ids.length, 0) };
}

/** The first conflicts, CONFLICTS_LISTED resource ids in all. */
function limitIds(conflicts: readonly ExternalIdConflict[]): ExternalIdConflict[] {
  const listed: ExternalIdConflict[] = [];
  let room = CONFLICTS_LISTED;
  for (const conflict of conflicts) {
    if (room <= 0) break;
    listed.push({ ...conflict, ids: conflict.ids.slice(0, room) });
    room -= conflict.ids.length;
  }
  return listed;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}
