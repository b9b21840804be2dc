import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { ScimRateLimit } from '../http/rate-limit.js';
import { ScimTokensService } from '../tenancy/scim-tokens.service.js';
import { TenantSettings } from '../tenancy/tenant-settings.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import { TokenService } from '../tenancy/token.service.js';
import type { AdminPart } from './admin.parts.js';
import { TenantsController } from './tenants.controller.js';
import { AdminTokensController } from './admin-tokens.controller.js';
import { TokensController } from './tokens.controller.js';

const providers: Provider[] = [
  {
    provide: TenantsService,
    useFactory: (dataSource: DataSource, tokens: TokenService, settings: TenantSettings) => new TenantsService(dataSource, tokens, settings.defaults),
    inject: [DataSource, TokenService, TenantSettings],
  },
  {
    provide: ScimTokensService,
    useFactory: (dataSource: DataSource, tokens: TokenService) => new ScimTokensService(dataSource, tokens),
    inject: [DataSource, TokenService],
  },
  // The per-token rate limit of the SCIM routes (BearerTokenGuard): registered here, with the tokens it is keyed
  // by, so the gateway module needs no change; one instance per process, shared by every guard instance.
  { provide: ScimRateLimit, useFactory: (config: GatewayConfig) => new ScimRateLimit(config), inject: [GATEWAY_CONFIG] },
];

/**
 * The admin API's routes for tenants, their SCIM tokens and the admin tokens themselves (per-tenant schemas:
 * apps/gateway/src/schemas).
 */
export const TENANTS_ADMIN: AdminPart = { controllers: [TenantsController, TokensController, AdminTokensController], providers };
