import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '#event-store/event-store.port.js';
import { measureProjectionLag, type ProjectionLag } from '#event-store/projection.lag.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';
import { KAFKA_PROJECTION, type InProcessKafkaProjection } from '../projections/in-process.projector.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { ADMIN_BASE_PATH } from './admin.paths.js';

/** Tenants whose last hour is counted: the overview is a glance, not a report (the provisioning log has the rest). */
export const OVERVIEW_TENANT_LIMIT = 100;

export interface TenantRequestCounts {
  readonly tenantId: string;
  readonly total: number;
  readonly success: number;
  readonly clientErrors: number;
  readonly serverErrors: number;
}

export interface AdminOverview {
  readonly since: string;
  /** The read model's lag, and Kafka's when this gateway runs that projection; an `error` when it could not be measured. */
  readonly projections: readonly (ProjectionLag | { readonly projection: string; readonly error: string })[];
  /** Requests per tenant in the last hour from the provisioning log, by status class; the first 100 tenants by id. */
  readonly requestsLastHour: readonly TenantRequestCounts[];
  readonly tenantsCounted: number;
  readonly tenantsTotal: number;
}

/** `GET /admin/v1/overview`: what the console's overview shows (docs/admin.md "Overview"). */
@Controller(`${ADMIN_BASE_PATH}/overview`)
@UseGuards(AdminTokenGuard)
export class OverviewController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadModelProjection) private readonly readModelProjection: ReadModelProjection,
    @Inject(KAFKA_PROJECTION) private readonly kafka: InProcessKafkaProjection | null,
  ) {}

  @Get()
  async overview(): Promise<AdminOverview> {
    const since = new Date(Date.now() - 3_600_000);
    const measured = async (name: string, lag: () => Promise<ProjectionLag>) =>
      lag().catch((error: unknown) => ({ projection: name, error: error instanceof Error ? error.message : String(error) }));
    const projections = [await measured(ReadModelProjection.NAME, () => measureProjectionLag(this.store, this.readModelProjection))];
    if (this.kafka) projections.push(await measured('kafka', () => this.kafka!.handle.lag()));

    const tenants: { id: string }[] = await this.dataSource.query(`SELECT id FROM tenants ORDER BY id LIMIT $1`, [OVERVIEW_TENANT_LIMIT]);
    const total: { n: string }[] = await this.dataSource.query(`SELECT count(*)::text AS n FROM tenants`);
    const requestsLastHour: TenantRequestCounts[] = [];
    // One indexed range per tenant (provisioning_log_tenant_at), rather than one scan of the whole log.
    for (const { id } of tenants) {
      const rows: { status_class: number; n: string }[] = await this.dataSource.query(
        `SELECT status / 100 AS status_class, count(*)::text AS n FROM provisioning_log WHERE tenant_id = $1 AND at >= $2 GROUP BY 1`,
        [id, since],
      );
      const count = (statusClass: number) => Number(rows.find((row) => Number(row.status_class) === statusClass)?.n ?? 0);
      requestsLastHour.push({
        tenantId: id,
        total: rows.reduce((sum, row) => sum + Number(row.n), 0),
        success: count(2),
        clientErrors: count(4),
        serverErrors: count(5),
      });
    }
    return { since: since.toISOString(), projections, requestsLastHour, tenantsCounted: tenants.length, tenantsTotal: Number(total[0].n) };
  }
}
