import { assertNever } from '#domain/decider.js';
import { decodeGroupEvent, type GroupEvent } from '#domain/group/group.events.js';
import type { ScimAttributes } from '#domain/scim-resource.js';
import { foreignEvent } from '#domain/stored-event.js';
import type { EventStore } from '#event-store/event-store.port.js';

/**
 * What a group event does to the group's own attributes: sets them (created, updated), ends them (deleted), or
 * leaves them as they were (membership events, which carry none: DESIGN.md "Events").
 */
export type GroupAttributesEffect =
  | { readonly kind: 'set'; readonly attributes: ScimAttributes }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'unchanged' };

export function groupAttributesEffect(event: GroupEvent): GroupAttributesEffect {
  switch (event.type) {
    case 'GroupCreated':
    case 'GroupUpdated':
      return { kind: 'set', attributes: event.data.attributes };
    case 'GroupDeleted':
      return { kind: 'deleted' };
    case 'GroupMembersAdded':
    case 'GroupMembersRemoved':
    case 'GroupMembersReplaced':
      return { kind: 'unchanged' };
    default:
      return assertNever(event);
  }
}

interface Entry {
  /** Revision of the GroupCreated / GroupUpdated these attributes come from. */
  readonly revision: bigint;
  readonly attributes: ScimAttributes;
}

/**
 * A group's own attributes as of its latest attribute event, per group, so a membership event (which carries no
 * attributes: DESIGN.md "Events") can be published with the group it changed. Filled from the events the caller
 * has published, in log order; on a miss (a restart, an eviction) one read of the group's stream answers.
 * Bounded: the least recently used groups are forgotten first.
 */
export class GroupAttributesCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Pick<EventStore, 'readStream'>,
    private readonly maxEntries = 10_000,
  ) {}

  /** The group's attributes as they were at `revision` of its stream (which is `streamName`). */
  async attributesAt(streamName: string, revision: bigint): Promise<ScimAttributes | undefined> {
    const cached = this.entries.get(streamName);
    // An entry newer than the event cannot answer for it (a batch being retried after a later one was cached).
    if (cached && cached.revision <= revision) {
      this.touch(streamName, cached);
      return cached.attributes;
    }
    const events = await this.store.readStream(streamName);
    let found: Entry | undefined;
    for (const event of events) {
      if (event.revision > revision) break;
      const effect = groupAttributesEffect(decodeGroupEvent(event) ?? foreignEvent(event, 'a group event'));
      if (effect.kind === 'set') found = { revision: event.revision, attributes: effect.attributes };
    }
    if (found) this.touch(streamName, found);
    return found?.attributes;
  }

  /** Attribute events that were published; only then, so a failed batch never leaves its future in the cache. */
  remember(streamName: string, revision: bigint, attributes: ScimAttributes | null): void {
    if (attributes === null) {
      this.entries.delete(streamName);
      return;
    }
    const cached = this.entries.get(streamName);
    if (cached && cached.revision > revision) return;
    this.touch(streamName, { revision, attributes });
  }

  get size(): number {
    return this.entries.size;
  }

  private touch(streamName: string, entry: Entry): void {
    this.entries.delete(streamName); // re-inserted last: Map order is the recency order
    this.entries.set(streamName, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
