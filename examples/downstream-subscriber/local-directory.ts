import { isKnownEvent, type GroupMember, type KnownScimEvent, type ScimEvent, type ScimResource } from './scim-event.contract.js';

export interface LocalGroup {
  readonly resource: ScimResource;
  readonly members: ReadonlyMap<string, GroupMember>;
}

/** What apply() did with an event. */
export type ApplyOutcome = 'applied' | 'duplicate' | 'stale' | 'ignored';

/**
 * A downstream app's own copy of users and groups, kept from the gateway's events.
 *
 * Delivery is at-least-once, so the same event can arrive twice (a projector crash, a replay). Two guards:
 * an event id seen before is a duplicate; an event whose revision is not newer than the resource's last applied
 * one is stale (a replay of old history after newer changes). Per key the topic is in order, so nothing newer
 * is ever skipped. A real app stores the copy, the seen ids (or just the revisions) and its offsets together.
 */
export class LocalDirectory {
  readonly users = new Map<string, ScimResource>();
  readonly groups = new Map<string, LocalGroup>();
  private readonly seenEventIds = new Set<string>();
  /** Last applied revision per `<tenant>:<id>`, deleted resources included (as tombstones). */
  private readonly revisions = new Map<string, number>();

  apply(event: ScimEvent): ApplyOutcome {
    if (this.seenEventIds.has(event.id)) return 'duplicate';
    const key = `${event.tenantid}:${event.subject}`;
    const last = this.revisions.get(key);
    if (last !== undefined && event.data.revision <= last) {
      this.seenEventIds.add(event.id);
      return 'stale';
    }
    // A type added to the gateway after this app was written: skip it, do not crash.
    if (!isKnownEvent(event)) return 'ignored';
    const outcome = this.applyKnown(key, event);
    if (outcome === 'applied') {
      this.seenEventIds.add(event.id);
      this.revisions.set(key, event.data.revision);
    }
    return outcome;
  }

  /** Every known type is handled here: the `never` in `default` makes a type added to KnownScimEvent a compile error. */
  private applyKnown(key: string, event: KnownScimEvent): ApplyOutcome {
    switch (event.type) {
      case 'scim.user.created':
      case 'scim.user.updated':
      case 'scim.user.deactivated':
      case 'scim.user.reactivated':
        this.users.set(key, event.data.resource!);
        return 'applied';
      case 'scim.user.deleted':
        this.users.delete(key);
        return 'applied';
      case 'scim.group.created':
      case 'scim.group.updated':
        return this.keepGroup(key, event, () => undefined);
      case 'scim.group.members_added': {
        const { added } = event.data.change;
        return this.keepGroup(key, event, (members) => added.forEach((member) => members.set(member.value, member)));
      }
      case 'scim.group.members_removed': {
        const { removed } = event.data.change;
        return this.keepGroup(key, event, (members) => removed.forEach((id) => members.delete(id)));
      }
      case 'scim.group.members_replaced': {
        const replacement = event.data.change.members;
        return this.keepGroup(key, event, (members) => {
          members.clear();
          replacement.forEach((member) => members.set(member.value, member));
        });
      }
      case 'scim.group.deleted':
        this.groups.delete(key);
        return 'applied';
      default:
        return unhandled(event);
    }
  }

  /** Every group event but a delete carries the group after it (without members); members change by the deltas. */
  private keepGroup(key: string, event: KnownScimEvent, change: (members: Map<string, GroupMember>) => void): ApplyOutcome {
    const members = new Map(this.groups.get(key)?.members ?? []);
    change(members);
    this.groups.set(key, { resource: event.data.resource!, members });
    return 'applied';
  }
}

function unhandled(event: never): never {
  throw new Error(`unhandled event type ${(event as ScimEvent).type}`);
}
