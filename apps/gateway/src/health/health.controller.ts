import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '#event-store/event-store.port.js';
import { formatProjectionLagMetrics } from '#event-store/projection-lag.metrics.js';
import { measureProjectionLag, type ProjectionLag } from '#event-store/projection.lag.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';
import { KAFKA_PROJECTION, type InProcessKafkaProjection } from '../projections/in-process.projector.js';
import { ReadModelProgress } from '../projections/read-model.progress.js';

/** Outside the SCIM base path and without a token, for load balancers, orchestrators and monitoring. */
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadModelProgress) private readonly readModel: ReadModelProgress,
    @Inject(ReadModelProjection) private readonly readModelProjection: ReadModelProjection,
    @Inject(KAFKA_PROJECTION) private readonly kafka: InProcessKafkaProjection | null,
  ) {}

  /** Alive: the process answers. Route load balancers here (docs/operations.md). */
  @Get('health')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  /**
   * Ready: the event store answers and the read model has caught up (else 503 with the reason). Kafka's lag is
   * reported but never makes the gateway unready: a broker outage must not stop SCIM writes (issue 5).
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks: Record<string, unknown> = {};
    let ready = true;
    try {
      await this.store.ping();
      checks['eventStore'] = { status: 'up' };
    } catch (error) {
      ready = false;
      checks['eventStore'] = { status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
    try {
      const readModel = await this.readModel.status();
      checks['readModel'] = readModel;
      if (!readModel.caughtUp) ready = false;
    } catch (error) {
      ready = false;
      checks['readModel'] = { status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
    if (this.kafka) {
      checks['kafka'] = { ...this.kafka.runner.status(), lag: await this.kafka.handle.lag().catch((error: unknown) => ({ error: String(error) })) };
    }
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks };
  }

  /** Projection lag (events and seconds behind) in the Prometheus text format. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    const lags: ProjectionLag[] = [await measureProjectionLag(this.store, this.readModelProjection)];
    if (this.kafka) lags.push(await this.kafka.handle.lag());
    return formatProjectionLagMetrics(lags);
  }
}
