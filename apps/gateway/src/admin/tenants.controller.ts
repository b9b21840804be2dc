import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { parseCreateTenant, parseTenantSettingsChange } from '../tenancy/tenancy-input.js';
import { TenantSettingsService, type TenantSettingsView } from '../tenancy/tenant-settings.service.js';
import { TenantsService, type TenantView } from '../tenancy/tenants.service.js';
import { ScimTokensService, type TokenView } from '../tenancy/scim-tokens.service.js';
import { adminCallContext } from './admin-call-context.js';
import { AdminTokenGuard, type AdminRequest } from './admin-token.guard.js';
import { ADMIN_BASE_PATH } from './admin.paths.js';

/** /admin/v1/tenants (docs/admin.md "Tenants"). Errors are SCIM errors, like everywhere else on the gateway. */
@Controller(`${ADMIN_BASE_PATH}/tenants`)
@UseGuards(AdminTokenGuard)
export class TenantsController {
  constructor(
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(ScimTokensService) private readonly tokens: ScimTokensService,
    @Inject(TenantSettingsService) private readonly settings: TenantSettingsService,
  ) {}

  /** 201 with the tenant; 409 uniqueness if the id is taken; 400 invalidValue for a bad id. */
  @Post()
  @HttpCode(201)
  create(@Body() body: unknown): Promise<TenantView> {
    return this.tenants.create(parseCreateTenant(body));
  }

  @Get()
  async list(): Promise<{ tenants: TenantView[] }> {
    return { tenants: await this.tenants.list() };
  }

  /** The tenant and its tokens (never the tokens themselves). */
  @Get(':tenantId')
  async get(@Param('tenantId') tenantId: string): Promise<TenantView & { tokens: TokenView[] }> {
    const tenant = await this.tenants.get(tenantId);
    return { ...tenant, tokens: await this.tokens.list(tenant.id) };
  }

  /** Every token of the tenant gets 401 from now on (other gateway processes: within a few seconds). */
  @Post(':tenantId/disable')
  @HttpCode(200)
  disable(@Param('tenantId') tenantId: string): Promise<TenantView> {
    return this.tenants.disable(tenantId);
  }

  @Post(':tenantId/enable')
  @HttpCode(200)
  enable(@Param('tenantId') tenantId: string): Promise<TenantView> {
    return this.tenants.enable(tenantId);
  }

  /** The tenant's provisioning settings (docs/admin.md "Tenant settings"). */
  @Get(':tenantId/settings')
  getSettings(@Param('tenantId') tenantId: string): Promise<TenantSettingsView> {
    return this.settings.get(tenantId);
  }

  /**
   * Changes the settings given; 400 invalidValue names a bad value, 409 uniqueness lists the resources that
   * share an externalId when its uniqueness cannot be turned on.
   */
  @Patch(':tenantId/settings')
  @HttpCode(200)
  changeSettings(@Param('tenantId') tenantId: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<TenantSettingsView> {
    const change = parseTenantSettingsChange(body);
    return this.settings.update(adminCallContext(request, tenantId, new Date()), change);
  }
}
