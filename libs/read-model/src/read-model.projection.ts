import type { DataSource } from 'typeorm';
import { GROUP_EVENT_TYPES } from '#domain/group/group.events.js';
import { USER_EVENT_TYPES } from '#domain/user/user.events.js';
import type { GlobalPosition, RecordedEvent } from '#event-store/event-store.port.js';
import type { Projection } from '#event-store/projection.runner.js';
import { applyGroupEvents } from './group-rows.js';
import { preparedQueries } from './read-model.data-source.js';
import { checkpointParameters, loadCheckpoint, saveCheckpoint, saveCheckpointSql } from './projection-checkpoints.js';
import {
  applyUserEvents,
  collapseUserEvents,
  deletesPayload,
  deleteUsersSql,
  upsertsPayload,
  upsertUsersSql,
  type UserRowChanges,
} from './user-rows.js';
import type { SqlQueryable } from './users.query.js';

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

  private readonly statements: SqlQueryable;

  constructor(private readonly dataSource: DataSource) {
    this.statements = preparedQueries(dataSource);
  }

  async loadCheckpoint(): Promise<GlobalPosition> {
    return loadCheckpoint(this.dataSource.manager, this.name);
  }

  async apply(events: readonly RecordedEvent[], checkpoint: GlobalPosition): Promise<void> {
    const users = collapseUserEvents(events.filter((event) => USER_TYPES.has(event.type)));
    const groupEvents = events.filter((event) => GROUP_TYPES.has(event.type));
    if (groupEvents.length === 0 && !deletesAndUpsertsOverlap(users)) {
      // The common batch (user changes and reservations): one statement, so one round trip and its own transaction.
      await this.statements.query(
        `WITH deleted AS (${deleteUsersSql('$1')}), upserted AS (${upsertUsersSql('$2')}), checkpoint AS (${saveCheckpointSql(3)})
         SELECT 1`,
        [deletesPayload(users.deletes), upsertsPayload(users.upserts), ...checkpointParameters(this.name, checkpoint)],
      );
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      await applyUserEvents(manager, users);
      if (groupEvents.length > 0) await applyGroupEvents(manager, groupEvents);
      await saveCheckpoint(manager, this.name, checkpoint);
    });
  }
}

/**
 * The parts of one statement see the same snapshot and run in no defined order, so a row it deletes and upserts
 * (a user id created again after its delete, in the same batch: ids are never reused) needs the statements in turn.
 */
function deletesAndUpsertsOverlap(users: UserRowChanges): boolean {
  if (users.deletes.length === 0 || users.upserts.length === 0) return false;
  const deleted = new Set(users.deletes.map((row) => `${row.tenantId}/${row.id}`));
  return users.upserts.some((row) => deleted.has(`${row.tenantId}/${row.id}`));
}
