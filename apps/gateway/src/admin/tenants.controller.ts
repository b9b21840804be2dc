import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { parseCreateTenant } from '../tenancy/tenancy-input.js';
import { TenantsService, type TenantView } from '../tenancy/tenants.service.js';
import { ScimTokensService, type TokenView } from '../tenancy/scim-tokens.service.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { ADMIN_BASE_PATH } from './admin.paths.js';

/** /admin/v1/tenants (docs/admin.md "Tenants"). Errors are SCIM errors, like everywhere else on the gateway. */
@Controller(`${ADMIN_BASE_PATH}/tenants`)
@UseGuards(AdminTokenGuard)
export class TenantsController {
  constructor(
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(ScimTokensService) private readonly tokens: ScimTokensService,
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
}
