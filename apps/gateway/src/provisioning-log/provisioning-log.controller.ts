import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '#scim/scim-error.js';
import { AdminTokenGuard } from '../admin/admin-token.guard.js';
import { ADMIN_BASE_PATH } from '../admin/admin.paths.js';
import { requireTenant } from '../tenancy/tenants.service.js';
import type { StoredProvisioningLogEntry } from './provisioning-log.entry.js';
import { encodeCursor, parseEntryId, parseProvisioningLogQuery } from './provisioning-log.parameters.js';
import { ProvisioningLogStore } from './provisioning-log.store.js';

export interface ProvisioningLogResponse {
  readonly entries: StoredProvisioningLogEntry[];
  /** Pass as `cursor` for the next (older) page; null when this is the last. */
  readonly nextCursor: string | null;
}

/** The provisioning log through the admin API (docs/provisioning-log.md): newest first, keyset pages. */
@Controller(ADMIN_BASE_PATH)
@UseGuards(AdminTokenGuard)
export class ProvisioningLogController {
  constructor(
    @Inject(ProvisioningLogStore) private readonly store: ProvisioningLogStore,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** One tenant's requests. */
  @Get('tenants/:tenantId/provisioning-log')
  async tenantLog(@Param('tenantId') tenantId: string, @Query() query: Record<string, unknown>): Promise<ProvisioningLogResponse> {
    const parsed = parseProvisioningLogQuery(query);
    await requireTenant(this.dataSource, tenantId);
    return this.page(tenantId, parsed);
  }

  /** One entry of the tenant's log; 404 when the tenant has none with that id (another tenant's entry included). */
  @Get('tenants/:tenantId/provisioning-log/:entryId')
  async tenantEntry(@Param('tenantId') tenantId: string, @Param('entryId') entryIdParam: string): Promise<StoredProvisioningLogEntry> {
    const entryId = parseEntryId(entryIdParam);
    await requireTenant(this.dataSource, tenantId);
    const entry = await this.store.findOne(tenantId, entryId);
    if (!entry) throw new NotFoundError(`no entry ${entryId} in the provisioning log of tenant "${tenantId}" (entries are kept for PROVISIONING_LOG_RETENTION_DAYS)`);
    return entry;
  }

  /** Requests that never authenticated (401s and the like): failed attempts, misconfigured clients. */
  @Get('provisioning-log/unauthenticated')
  async unauthenticatedLog(@Query() query: Record<string, unknown>): Promise<ProvisioningLogResponse> {
    return this.page(null, parseProvisioningLogQuery(query));
  }

  private async page(tenantId: string | null, { filter, limit, after }: ReturnType<typeof parseProvisioningLogQuery>): Promise<ProvisioningLogResponse> {
    const page = await this.store.query({ ...filter, tenantId }, limit, after);
    return { entries: page.entries, nextCursor: page.next ? encodeCursor(page.next) : null };
  }
}
