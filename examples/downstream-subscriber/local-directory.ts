import type { GroupMember, ScimEvent, ScimResource } from './scim-event.contract.js';

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
    const outcome = event.type.startsWith('scim.user.') ? this.applyToUsers(key, event) : this.applyToGroups(key, event);
    if (outcome === 'applied') {
      this.seenEventIds.add(event.id);
      this.revisions.set(key, event.data.revision);
    }
    return outcome;
  }

  private applyToUsers(key: string, event: ScimEvent): ApplyOutcome {
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
      default:
        return 'ignored'; // a type added after this app was written: skip it, do not crash
    }
  }

  private applyToGroups(key: string, event: ScimEvent): ApplyOutcome {
    const group = this.groups.get(key);
    const members = new Map(group?.members ?? []);
    const change = event.data.change as Record<string, unknown> | null;
    switch (event.type) {
      case 'scim.group.created':
      case 'scim.group.updated':
        break;
      case 'scim.group.members_added':
        for (const member of change!['added'] as GroupMember[]) members.set(member.value, member);
        break;
      case 'scim.group.members_removed':
        for (const id of change!['removed'] as string[]) members.delete(id);
        break;
      case 'scim.group.members_replaced':
        members.clear();
        for (const member of change!['members'] as GroupMember[]) members.set(member.value, member);
        break;
      case 'scim.group.deleted':
        this.groups.delete(key);
        return 'applied';
      default:
        return 'ignored';
    }
    // Every group event but a delete carries the group after it (without members).
    this.groups.set(key, { resource: event.data.resource!, members });
    return 'applied';
  }
}
