import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ProjectionRunner } from '#event-store/projection.runner.js';
import type { KafkaProjectionHandle } from '#kafka/kafka-projection.factory.js';

export const KAFKA_PROJECTION = Symbol('KafkaProjection');

/** The Kafka projection when this gateway runs it (embedded mode with KAFKA_BROKERS set). */
export interface InProcessKafkaProjection {
  readonly handle: KafkaProjectionHandle;
  readonly runner: ProjectionRunner;
}

/**
 * Embedded mode runs the projections in the gateway's process (DESIGN.md "Two ways to run"), woken by each
 * append through the store's waitForEvents.
 */
export class InProcessProjector implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('InProcessProjector');

  constructor(
    private readonly runners: readonly ProjectionRunner[],
    private readonly kafka: KafkaProjectionHandle | null,
  ) {}

  async onModuleInit(): Promise<void> {
    // In the background: /ready reports it; the gateway serves SCIM while the broker cannot be reached.
    this.kafka?.topics.start();
    for (const runner of this.runners) {
      await runner.start();
      this.logger.log(`projection ${runner.status().name} started at ${runner.status().position}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.kafka?.close();
  }
}
