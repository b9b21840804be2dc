import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { EVENT_STORE, type EventStore } from '#event-store/event-store.port.js';
import { CommandRunner } from '../commands/command.runner.js';
import { ExternalIdReservations } from '../external-id-reservations.js';
import { ScimRateLimit } from '../http/rate-limit.js';
import { ReadModelProgress } from '../projections/read-model.progress.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { TenantSettingsService } from '../tenancy/tenant-settings.service.js';
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
    useFactory: (dataSource: DataSource, tokens: TokenService, settings: TenantSettings) =>
      new TenantsService(dataSource, tokens, settings.defaults.externalIdUniqueness),
    inject: [DataSource, TokenService, TenantSettings],
  },
  {
    provide: ScimTokensService,
    useFactory: (dataSource: DataSource, tokens: TokenService) => new ScimTokensService(dataSource, tokens),
    inject: [DataSource, TokenService],
  },
  {
    provide: ExternalIdReservations,
    useFactory: (store: EventStore, dataSource: DataSource, progress: ReadModelProgress, commands: CommandRunner) =>
      new ExternalIdReservations(store, dataSource, progress, commands),
    inject: [EVENT_STORE, DataSource, ReadModelProgress, CommandRunner],
  },
  {
    provide: TenantSettingsService,
    // A turn-on reserves existing externalIds only once every gateway process has read the new setting.
    useFactory: (dataSource: DataSource, registries: SchemaRegistries, settings: TenantSettings, reservations: ExternalIdReservations) =>
      new TenantSettingsService(dataSource, registries, settings, reservations, SchemaRegistries.REFRESH_MS + 1_000),
    inject: [DataSource, SchemaRegistries, TenantSettings, ExternalIdReservations],
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
