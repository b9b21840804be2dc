import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '#event-store/event-store.port.js';
import { runtimeVersion } from '#observability/runtime-version.js';
import { KAFKA_PROJECTION, type InProcessKafkaProjection } from '../projections/in-process.projector.js';
import { ReadModelProgress } from '../projections/read-model.progress.js';

/** Outside the SCIM base path and without a token, for load balancers, orchestrators and monitoring. */
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadModelProgress) private readonly readModel: ReadModelProgress,
    @Inject(KAFKA_PROJECTION) private readonly kafka: InProcessKafkaProjection | null,
  ) {}

  /** Alive: the process answers, and says which Node.js it runs on. Route load balancers here (docs/operations.md). */
  @Get('health')
  @HttpCode(200)
  health() {
    return { status: 'ok', ...runtimeVersion() };
  }

  /**
   * Ready: the event store answers, the read model has caught up and, with Kafka on, its topics exist (else 503,
   * each cause in `reasons`). The topics are created at start so a subscriber may start first (DESIGN.md
   * "Kafka"); until then a 503 names the broker. Once they exist, Kafka's lag is reported but never makes the
   * gateway unready: a broker outage must not stop SCIM writes (issue 5).
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks: Record<string, unknown> = {};
    const reasons: string[] = [];
    try {
      await this.store.ping();
      checks['eventStore'] = { status: 'up' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      reasons.push(`event store: down (${message})`);
      checks['eventStore'] = { status: 'down', error: message };
    }
    try {
      const readModel = await this.readModel.status();
      checks['readModel'] = readModel;
      if (!readModel.caughtUp) reasons.push('read model: catching up');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      reasons.push(`read model: down (${message})`);
      checks['readModel'] = { status: 'down', error: message };
    }
    if (this.kafka) {
      const topicsNotReady = this.kafka.handle.topics.notReadyReason();
      if (topicsNotReady) reasons.push(topicsNotReady);
      checks['kafka'] = {
        topics: this.kafka.handle.topics.status(),
        ...this.kafka.runner.status(),
        lag: await this.kafka.handle.lag().catch((error: unknown) => ({ error: String(error) })),
      };
    }
    const ready = reasons.length === 0;
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', ...(ready ? {} : { reasons }), checks };
  }
}
