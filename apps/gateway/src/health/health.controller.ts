import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '#event-store/event-store.port.js';
import { ReadModelProgress } from '../projections/read-model.progress.js';

/** Outside the SCIM base path and without a token, for load balancers and orchestrators. */
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadModelProgress) private readonly readModel: ReadModelProgress,
  ) {}

  /** Alive: the process answers. */
  @Get('health')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  /** Ready: the event store answers and every read-model projection has caught up (else 503 with the reason). */
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
    const projections = this.readModel.statuses();
    checks['projections'] = projections;
    if (projections.some((projection) => !projection.caughtUp)) ready = false;
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks };
  }
}
