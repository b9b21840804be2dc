import type { EntityManager } from 'typeorm';
import type { GlobalPosition } from '#event-store/event-store.port.js';
import { START } from '#event-store/event-store.port.js';

/** projection_checkpoints: where each projection stopped, written in the same transaction as its rows. */
export async function loadCheckpoint(manager: EntityManager, projection: string): Promise<GlobalPosition> {
  const rows: { commit_position: string; prepare_position: string }[] = await manager.query(
    `SELECT commit_position, prepare_position FROM projection_checkpoints WHERE projection = $1`,
    [projection],
  );
  return rows.length === 0 ? START : { commit: BigInt(rows[0].commit_position), prepare: BigInt(rows[0].prepare_position) };
}

export async function saveCheckpoint(manager: EntityManager, projection: string, position: GlobalPosition): Promise<void> {
  await manager.query(saveCheckpointSql(1), checkpointParameters(projection, position));
}

/** The upsert of a checkpoint, its three parameters numbered from `first` (see checkpointParameters). */
export function saveCheckpointSql(first: number): string {
  return `INSERT INTO projection_checkpoints (projection, commit_position, prepare_position, updated_at)
     VALUES ($${first}, $${first + 1}, $${first + 2}, now())
     ON CONFLICT (projection) DO UPDATE SET commit_position = EXCLUDED.commit_position,
       prepare_position = EXCLUDED.prepare_position, updated_at = EXCLUDED.updated_at`;
}

export function checkpointParameters(projection: string, position: GlobalPosition): [string, string, string] {
  return [projection, position.commit.toString(), position.prepare.toString()];
}
