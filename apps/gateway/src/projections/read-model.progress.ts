import { Logger } from '@nestjs/common';
import type { GlobalPosition } from '#event-store/event-store.port.js';
import { formatPosition } from '#event-store/event-store.port.js';
import type { ProjectionRunner, ProjectionStatus } from '#event-store/projection.runner.js';

/**
 * Read-your-writes (DESIGN.md "The one path data takes"): a write answers only after every read-model
 * projection has passed it, waiting at most the configured bound. Past the bound the write still succeeded,
 * so it is answered anyway and the lag is logged: failing a stored write would make the client retry a done change.
 */
export class ReadModelProgress {
  private readonly logger = new Logger('ReadModelProgress');

  constructor(
    private readonly runners: readonly ProjectionRunner[],
    private readonly timeoutMs: number,
  ) {}

  async waitFor(position: GlobalPosition | null): Promise<void> {
    if (position === null) return;
    const reached = await Promise.all(this.runners.map((runner) => runner.waitForPosition(position, this.timeoutMs)));
    if (reached.includes(false)) {
      this.logger.warn(`read model has not reached ${formatPosition(position)} after ${this.timeoutMs} ms; answering anyway`);
    }
  }

  statuses(): ProjectionStatus[] {
    return this.runners.map((runner) => runner.status());
  }
}
