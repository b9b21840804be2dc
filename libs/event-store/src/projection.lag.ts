import { comparePositions, formatPosition, type EventStore } from './event-store.port.js';
import type { Projection } from './projection.runner.js';

/** How far a projection is behind the log (issue 5, "Lag visible"). */
export interface ProjectionLag {
  readonly projection: string;
  /** Where the projection's stored checkpoint is ("commit:prepare", "-1:-1" before its first batch). */
  readonly checkpoint: string;
  /** The log's last readable position. */
  readonly head: string;
  /** Events after the checkpoint that the projection will apply; at most `countLimit` are counted. */
  readonly eventsBehind: number;
  /** True when there were more than were counted: then eventsBehind is a lower bound. */
  readonly eventsBehindCapped: boolean;
  /** Age of the oldest event not applied yet, 0 when caught up. */
  readonly secondsBehind: number;
  readonly oldestPendingAt: string | null;
}

export interface ProjectionLagOptions {
  /** Default 1000: counting reads the events, so a long outage is reported as "at least" this many. */
  readonly countLimit?: number;
  readonly now?: () => Date;
}

/**
 * Measures from the stored checkpoint, not from a runner in this process, so the gateway can report the lag of a
 * projection that a separate projector process runs (the distributed topology). Works for any Projection.
 */
export async function measureProjectionLag(
  store: Pick<EventStore, 'headPosition' | 'readAll'>,
  projection: Pick<Projection, 'name' | 'loadCheckpoint' | 'eventTypes' | 'streamPrefixes'>,
  options: ProjectionLagOptions = {},
): Promise<ProjectionLag> {
  const countLimit = options.countLimit ?? 1000;
  const [checkpoint, head] = await Promise.all([projection.loadCheckpoint(), store.headPosition()]);
  const base = { projection: projection.name, checkpoint: formatPosition(checkpoint), head: formatPosition(head) };
  if (comparePositions(checkpoint, head) >= 0) {
    return { ...base, eventsBehind: 0, eventsBehindCapped: false, secondsBehind: 0, oldestPendingAt: null };
  }
  // Only events the projection applies count: reservation events after its checkpoint are not lag.
  const pending = await store.readAll({
    after: checkpoint,
    maxCount: countLimit + 1,
    eventTypes: projection.eventTypes,
    streamPrefixes: projection.streamPrefixes,
  });
  const oldest = pending[0]?.recordedAt ?? null;
  const now = (options.now ?? (() => new Date()))();
  return {
    ...base,
    eventsBehind: Math.min(pending.length, countLimit),
    eventsBehindCapped: pending.length > countLimit,
    secondsBehind: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000),
    oldestPendingAt: oldest?.toISOString() ?? null,
  };
}
