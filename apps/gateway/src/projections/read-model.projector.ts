import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ProjectionRunner } from '#event-store/projection.runner.js';

/**
 * Embedded mode runs the read-model projection in the gateway's process (DESIGN.md "Two ways to run"), woken by
 * each append through the store's waitForEvents.
 */
export class InProcessProjector implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('InProcessProjector');

  constructor(private readonly runners: readonly ProjectionRunner[]) {}

  async onModuleInit(): Promise<void> {
    for (const runner of this.runners) {
      await runner.start();
      this.logger.log(`projection ${runner.status().name} started at ${runner.status().position}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }
}
