import { assertNever, foldEvents } from '#domain/decider.js';
import { groupDecider } from '#domain/group/group.decider.js';
import { decodeGroupEvent, type GroupEvent, type GroupMember } from '#domain/group/group.events.js';
import { foreignEvent } from '#domain/stored-event.js';
import { streamNames } from '#domain/stream-names.js';
import { userDecider } from '#domain/user/user.decider.js';
import { decodeUserEvent } from '#domain/user/user.events.js';
import { verifyTenantChains, type ChainVerification, type VerifyOptions } from '#event-store/audit/chain-verifier.js';
import { exportTenantHistory, type ExportOptions } from '#event-store/audit/tenant-history.js';
import { formatPosition, type EventStore, type RecordedEvent } from '#event-store/event-store.port.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { membersOf, presentGroup } from '../groups/group.presenter.js';
import { presentUser } from '../users/user.presenter.js';

export type AuditResourceType = 'User' | 'Group';

/** One event of a resource's history, JSON-safe: who did what, when and from where. */
export interface AuditEntry {
  /** The resource's version after this event (meta.version is W/"<revision>"); decimal string. */
  readonly revision: string;
  /** "commit:prepare" in the store's global log. */
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** When the store recorded it (ISO-8601). */
  readonly recordedAt: string;
  /** When the gateway decided it (ISO-8601). */
  readonly occurredAt: string;
  /** Who: the SCIM token the request was authenticated with (null: not a token-authenticated request). */
  readonly tokenId: string | null;
  /** From where. */
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly correlationId: string | null;
  /** The W3C traceparent of the request that caused it (docs/observability.md "Tracing"); null when it had none. */
  readonly traceparent: string | null;
  /** What: the event's data (the resource after it, and for updates the attribute-level changes). */
  readonly data: unknown;
  /** Hash chain (docs/audit-format.md); null on events recorded before the chain. */
  readonly hash: string | null;
  readonly previousHash: string | null;
}

export interface HistoryOptions {
  /** First revision to include (default 0). */
  readonly fromRevision?: bigint;
  /** At most this many entries. */
  readonly limit?: number;
}

/** Per-tenant schemas (SchemaRegistries in ../schemas/) or one registry for every tenant. */
export type AuditRegistries = SchemaRegistry | { forTenant(tenantId: string): SchemaRegistry };

export interface AuditServiceOptions {
  /** What a past state is presented with (`returned: never` attributes left out, as the SCIM API does). */
  readonly registry: AuditRegistries;
  /** Base of resource locations, as the SCIM controllers use it: `${publicBaseUrl}/${SCIM_BASE_PATH}`. */
  readonly baseUrl: string;
  /** Events per read of an export. Default 1,000. */
  readonly exportPageSize?: number;
}

/**
 * The auditor's reads, straight from the event store (never the read model): a resource's history, its SCIM
 * representation at a past instant, a tenant's history as JSON lines, and the verification of its hash chains.
 * Framework-free; the admin API wires it.
 */
export class AuditService {
  constructor(
    private readonly store: EventStore,
    private readonly options: AuditServiceOptions,
  ) {}

  /** Every event of the resource's stream in revision order; [] when it never existed. */
  async history(tenantId: string, resourceType: AuditResourceType, id: string, options: HistoryOptions = {}): Promise<AuditEntry[]> {
    const events = await this.store.readStream(streamOf(tenantId, resourceType, id), options.fromRevision ?? 0n);
    return (options.limit === undefined ? events : events.slice(0, options.limit)).map(toAuditEntry);
  }

  /**
   * The resource as a SCIM representation at `asOf` (full, with meta.version as it was then), or null when it did
   * not exist yet or was deleted by then. It folds the stream's events up to the first one recorded after `asOf`:
   * a stream's events commit in revision order, so none after that one can have been visible at `asOf` either.
   */
  async stateAsOf(tenantId: string, resourceType: AuditResourceType, id: string, asOf: Date): Promise<Record<string, unknown> | null> {
    if (Number.isNaN(asOf.getTime())) throw new RangeError('asOf is not a valid date');
    const recorded = await this.store.readStream(streamOf(tenantId, resourceType, id));
    const end = recorded.findIndex((event) => event.recordedAt.getTime() > asOf.getTime());
    const visible = end === -1 ? recorded : recorded.slice(0, end);
    if (visible.length === 0) return null;
    const version = visible[visible.length - 1].revision;
    const registry = registryFor(this.options.registry, tenantId);
    return resourceType === 'User' ? this.userAsOf(visible, version, registry) : this.groupAsOf(visible, version, registry);
  }

  /** Checks the tenant's hash chains (libs/event-store/src/audit/chain-verifier.ts). */
  verify(tenantId: string, options?: VerifyOptions): Promise<ChainVerification> {
    return verifyTenantChains(this.store, tenantId, options);
  }

  /** The tenant's whole history as JSON lines, each string one line ending in "\n"; constant memory. */
  export(tenantId: string, options?: ExportOptions): AsyncGenerator<string, void, undefined> {
    return exportTenantHistory(this.store, tenantId, this.options.exportPageSize ?? 1_000, options);
  }

  private userAsOf(events: readonly RecordedEvent[], version: bigint, registry: SchemaRegistry): Record<string, unknown> | null {
    const state = foldEvents(userDecider, events.map((event) => decodeUserEvent(event) ?? foreignEvent(event, 'a user event')));
    if (state.status !== 'present') return null;
    return presentUser(
      { id: state.userId, attributes: state.attributes, version, createdAt: state.createdAt, lastModifiedAt: state.lastModifiedAt },
      this.options.baseUrl,
      registry,
    );
  }

  private groupAsOf(events: readonly RecordedEvent[], version: bigint, registry: SchemaRegistry): Record<string, unknown> | null {
    const domainEvents = events.map((event) => decodeGroupEvent(event) ?? foreignEvent(event, 'a group event'));
    const state = foldEvents(groupDecider, domainEvents);
    if (state.status !== 'present') return null;
    // The decider keeps member ids only; type and display come from the events that added them.
    const details = memberDetails(domainEvents);
    const members = [...state.memberIds].sort().map((value) => details.get(value) ?? { value });
    return presentGroup(
      {
        id: state.groupId,
        attributes: state.attributes,
        members: membersOf(members),
        version,
        createdAt: state.createdAt,
        lastModifiedAt: state.lastModifiedAt,
      },
      this.options.baseUrl,
      registry,
    );
  }
}

function registryFor(registries: AuditRegistries, tenantId: string): SchemaRegistry {
  return 'forTenant' in registries && typeof registries.forTenant === 'function' ? registries.forTenant(tenantId) : (registries as SchemaRegistry);
}

function streamOf(tenantId: string, resourceType: AuditResourceType, id: string): string {
  switch (resourceType) {
    case 'User':
      return streamNames.user(tenantId, id);
    case 'Group':
      return streamNames.group(tenantId, id);
    default:
      throw new RangeError(`not an audited resource type: ${String(resourceType)}`);
  }
}

function toAuditEntry(event: RecordedEvent): AuditEntry {
  const { metadata } = event;
  return {
    revision: event.revision.toString(),
    position: formatPosition(event.position),
    eventId: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    recordedAt: event.recordedAt.toISOString(),
    occurredAt: metadata.occurredAt,
    tokenId: metadata.tokenId ?? null,
    sourceIp: metadata.sourceIp ?? null,
    userAgent: metadata.userAgent ?? null,
    requestId: metadata.requestId ?? null,
    correlationId: metadata.correlationId ?? null,
    traceparent: metadata.traceparent ?? null,
    data: event.data,
    hash: metadata.hash ?? null,
    previousHash: metadata.previousHash ?? null,
  };
}

/** The latest type and display recorded for each member. */
function memberDetails(events: readonly GroupEvent[]): Map<string, GroupMember> {
  const details = new Map<string, GroupMember>();
  for (const event of events) {
    switch (event.type) {
      case 'GroupMembersAdded':
      case 'GroupMembersReplaced':
        for (const member of event.data.members) details.set(member.value, member);
        break;
      case 'GroupCreated':
      case 'GroupUpdated':
      case 'GroupMembersRemoved':
      case 'GroupDeleted':
        break;
      default:
        assertNever(event);
    }
  }
  return details;
}
