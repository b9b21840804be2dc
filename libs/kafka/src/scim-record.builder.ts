import { decodeGroupEvent } from '#domain/group/group.events.js';
import type { ScimAttributes } from '#domain/scim-resource.js';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port.js';
import { GroupAttributesCache, groupAttributesEffect } from './group-attributes.cache.js';
import { toScimKafkaRecord } from './scim-cloud-event.mapper.js';
import type { ScimKafkaRecord } from './scim-cloud-event.js';

export interface BuiltBatch {
  readonly records: readonly ScimKafkaRecord[];
  /** Call once the records are acknowledged: the batch's group attributes become known to later batches. */
  acknowledged(): void;
}

/**
 * Turns a batch of the log into records, supplying membership events with their group's attributes: from earlier
 * events of the same batch first, else from what earlier acknowledged batches left in the cache.
 */
export class ScimRecordBuilder {
  private readonly groups: GroupAttributesCache;

  constructor(store: Pick<EventStore, 'readStream'>, options: { readonly groupCacheSize?: number } = {}) {
    this.groups = new GroupAttributesCache(store, options.groupCacheSize);
  }

  async build(events: readonly RecordedEvent[]): Promise<BuiltBatch> {
    const inBatch = new Map<string, { revision: bigint; attributes: ScimAttributes | null }>();
    const records: ScimKafkaRecord[] = [];
    for (const event of events) {
      let groupAttributes: ScimAttributes | undefined;
      const groupEvent = decodeGroupEvent(event);
      const effect = groupEvent === null ? null : groupAttributesEffect(groupEvent);
      if (effect?.kind === 'set') {
        inBatch.set(event.streamName, { revision: event.revision, attributes: effect.attributes });
      } else if (effect?.kind === 'deleted') {
        inBatch.set(event.streamName, { revision: event.revision, attributes: null });
      } else if (effect?.kind === 'unchanged') {
        const earlier = inBatch.get(event.streamName);
        groupAttributes = earlier?.attributes ?? (await this.groups.attributesAt(event.streamName, event.revision));
      }
      records.push(toScimKafkaRecord(event, groupAttributes));
    }
    return {
      records,
      acknowledged: () => {
        for (const [streamName, { revision, attributes }] of inBatch) this.groups.remember(streamName, revision, attributes);
      },
    };
  }
}
