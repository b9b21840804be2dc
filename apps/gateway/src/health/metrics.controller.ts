import { Controller, Get, Inject, Res, type OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '#event-store/event-store.port.js';
import { measureProjectionLag, type ProjectionLag } from '#event-store/projection.lag.js';
import { METRICS_CONTENT_TYPE, ScimMetrics } from '#observability/metrics.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';
import { KAFKA_PROJECTION, type InProcessKafkaProjection } from '../projections/in-process.projector.js';

/**
 * GET /metrics: this process's registry in the Prometheus text format (docs/observability.md "Metrics"), outside
 * the SCIM base path and without a token, like /health. The projection-lag gauges are measured on scrape: the
 * read model's from its checkpoint (wherever it runs), Kafka's when this gateway runs that projection.
 * With METRICS_ENABLED=false: 404, so a scrape target left pointing here shows as down instead of silently empty.
 */
@Controller()
export class MetricsController implements OnModuleInit {
  constructor(
    @Inject(ScimMetrics) private readonly metrics: ScimMetrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadModelProjection) private readonly readModelProjection: ReadModelProjection,
    @Inject(KAFKA_PROJECTION) private readonly kafka: InProcessKafkaProjection | null,
  ) {}

  onModuleInit(): void {
    this.metrics.observeProjectionLag(async () => {
      const lags: Promise<ProjectionLag>[] = [measureProjectionLag(this.store, this.readModelProjection)];
      if (this.kafka) lags.push(this.kafka.handle.lag());
      return Promise.all(lags);
    });
  }

  @Get('metrics')
  async scrape(@Res() response: Response): Promise<void> {
    const text = await this.metrics.render();
    if (text === null) {
      response.status(404).type('text/plain').send('metrics are off (METRICS_ENABLED=false)\n');
      return;
    }
    response.status(200).setHeader('Content-Type', METRICS_CONTENT_TYPE);
    response.send(text);
  }
}
