import type { DataSource } from 'typeorm';
import { GROUP_EVENT_TYPES } from '#domain/group/group.events.js';
import { USER_EVENT_TYPES } from '#domain/user/user.events.js';
import type { GlobalPosition, RecordedEvent } from '#event-store/event-store.port.js';
import type { Projection } from '#event-store/projection.runner.js';
import { applyGroupEvents } from './groups.projection.js';
import { loadCheckpoint, saveCheckpoint } from './projection-checkpoints.js';
import { applyUserEvents } from './users.projection.js';

const USER_TYPES = new Set<string>(USER_EVENT_TYPES);
const GROUP_TYPES = new Set<string>(GROUP_EVENT_TYPES);

/**
 * The whole read model (users, groups, members) as one projection over the whole log, so its checkpoint is a
 * position of the global log: a gateway that does not run it (distributed topology) waits for read-your-writes
 * by reading the checkpoint alone. Events it has no table for (unique-key reservations) only move the checkpoint.
 * Rows and checkpoint are written in one transaction (STYLE.md principle 7).
 */
export class ReadModelProjection implements Projection {
  static readonly NAME = 'read-model';
  readonly name = ReadModelProjection.NAME;

  constructor(private readonly dataSource: DataSource) {}

  async loadCheckpoint(): Promise<GlobalPosition> {
    return loadCheckpoint(this.dataSource.manager, this.name);
  }

  async apply(events: readonly RecordedEvent[], checkpoint: GlobalPosition): Promise<void> {
    const userEvents = events.filter((event) => USER_TYPES.has(event.type));
    const groupEvents = events.filter((event) => GROUP_TYPES.has(event.type));
    await this.dataSource.transaction(async (manager) => {
      if (userEvents.length > 0) await applyUserEvents(manager, userEvents);
      if (groupEvents.length > 0) await applyGroupEvents(manager, groupEvents);
      await saveCheckpoint(manager, this.name, checkpoint);
    });
  }
}
