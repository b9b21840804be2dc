import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import { parseCreateTenant, parseTenantSettingsChange } from '../tenancy/tenancy-input.js';
import { TenantSettingsService, type TenantSettingsView } from '../tenancy/tenant-settings.service.js';
import { TenantsService, type TenantView } from '../tenancy/tenants.service.js';
import { ScimTokensService, type TokenView } from '../tenancy/scim-tokens.service.js';
import { adminCallContext } from './admin-call-context.js';
import { AdminTokenGuard, type AdminRequest } from './admin-token.guard.js';
import { ADMIN_BASE_PATH } from './admin.paths.js';

/** GET /admin/v1/tenants/{id}: the tenant, how SCIM clients reach it, and its tokens. */
export interface TenantSetupView extends TenantView {
  /** `<PUBLIC_BASE_URL>/scim/v2`: the same for every tenant (the token names the tenant). */
  readonly scimBaseUrl: string;
  /** TOKEN_ROTATION_GRACE_SECONDS: how long a rotated token keeps working when the rotation names no grace period. */
  readonly tokenRotationGraceSeconds: number;
  readonly tokens: TokenView[];
}

/** /admin/v1/tenants (docs/admin.md "Tenants"). Errors are SCIM errors, like everywhere else on the gateway. */
@Controller(`${ADMIN_BASE_PATH}/tenants`)
@UseGuards(AdminTokenGuard)
export class TenantsController {
  constructor(
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(ScimTokensService) private readonly tokens: ScimTokensService,
    @Inject(TenantSettingsService) private readonly settings: TenantSettingsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
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

  /**
   * The tenant and its tokens (never the tokens themselves), with what a SCIM client is configured with: the base
   * URL it must use (Entra's "Tenant URL", from PUBLIC_BASE_URL) and the grace period a rotation applies by default.
   */
  @Get(':tenantId')
  async get(@Param('tenantId') tenantId: string): Promise<TenantSetupView> {
    const tenant = await this.tenants.get(tenantId);
    return {
      ...tenant,
      scimBaseUrl: `${this.config.publicBaseUrl}/${SCIM_BASE_PATH}`,
      tokenRotationGraceSeconds: this.config.tokenRotationGraceSeconds,
      tokens: await this.tokens.list(tenant.id),
    };
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
