import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { EventStore, GlobalPosition } from '#event-store/event-store.port.js';
import { comparePositions, formatPosition } from '#event-store/event-store.port.js';
import type { ProjectionRunner } from '#event-store/projection.runner.js';
import { loadCheckpoint } from '#read-model/projection-checkpoints.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';

export interface ReadModelStatus {
  readonly name: string;
  readonly position: string;
  readonly caughtUp: boolean;
  readonly lastError: string | null;
}

/**
 * Read-your-writes (DESIGN.md "The one path data takes"): a write answers only after the read model has applied
 * it, waiting at most the configured bound. Past the bound the write still succeeded, so it is answered anyway
 * and the lag is logged: failing a stored write would make the client retry a done change.
 */
export abstract class ReadModelProgress {
  protected readonly logger = new Logger('ReadModelProgress');

  constructor(protected readonly timeoutMs: number) {}

  /** True once the read model has applied `position`; false (and a warning) when the bound ran out first. */
  async waitFor(position: GlobalPosition | null): Promise<boolean> {
    if (position === null) return true;
    if (await this.reached(position)) return true;
    this.logger.warn(`read model has not reached ${formatPosition(position)} after ${this.timeoutMs} ms; answering anyway`);
    return false;
  }

  protected abstract reached(position: GlobalPosition): Promise<boolean>;
  abstract status(): Promise<ReadModelStatus>;
}

/** Embedded mode: the projection runs in this process; its runner says when a position is applied. */
export class InProcessReadModelProgress extends ReadModelProgress {
  constructor(
    private readonly runner: ProjectionRunner,
    timeoutMs: number,
  ) {
    super(timeoutMs);
  }

  protected reached(position: GlobalPosition): Promise<boolean> {
    return this.runner.waitForPosition(position, this.timeoutMs);
  }

  async status(): Promise<ReadModelStatus> {
    return this.runner.status();
  }
}

/**
 * Distributed topology: apps/projector runs the projection; its checkpoint (a position of the whole log, see
 * ReadModelProjection) is read until it passes the write. Polls briefly: projector batches land within ms.
 */
export class CheckpointReadModelProgress extends ReadModelProgress {
  private static readonly POLL_MS = 10;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    timeoutMs: number,
  ) {
    super(timeoutMs);
  }

  protected async reached(position: GlobalPosition): Promise<boolean> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (comparePositions(await this.checkpoint(), position) >= 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, CheckpointReadModelProgress.POLL_MS));
    }
  }

  async status(): Promise<ReadModelStatus> {
    const [checkpoint, head] = await Promise.all([this.checkpoint(), this.store.headPosition()]);
    return {
      name: `${ReadModelProjection.NAME} (apps/projector)`,
      position: formatPosition(checkpoint),
      caughtUp: comparePositions(checkpoint, head) >= 0,
      lastError: null,
    };
  }

  private checkpoint(): Promise<GlobalPosition> {
    return loadCheckpoint(this.dataSource.manager, ReadModelProjection.NAME);
  }
}
