import type { DataSource } from 'typeorm';
import type { GlobalPosition } from '#event-store/event-store.port.js';
import { loadCheckpoint, saveCheckpoint } from '#read-model/projection-checkpoints.js';

/**
 * Where a projection whose writes are not in PostgreSQL (Kafka) keeps its checkpoint. It cannot share a
 * transaction with the broker, so it is written after the broker acknowledged: a crash in between replays the
 * batch (duplicates, which consumers drop by event id), never skips it.
 */
export interface ProjectionCheckpointStore {
  load(projection: string): Promise<GlobalPosition>;
  save(projection: string, position: GlobalPosition): Promise<void>;
}

/** The read model's `projection_checkpoints` table, next to the read-model projections' own rows. */
export function readModelCheckpointStore(dataSource: DataSource): ProjectionCheckpointStore {
  return {
    load: (projection) => loadCheckpoint(dataSource.manager, projection),
    save: (projection, position) => saveCheckpoint(dataSource.manager, projection, position),
  };
}
