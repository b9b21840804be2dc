import type { GatewayConfig } from '#config/gateway.config.js';

/** How a tenant treats a second resource with an externalId already in use (RFC 7643 §3.1 says the server does not). */
export type ExternalIdUniqueness = 'none' | 'server';

/**
 * What a group write does with member ids that name no user or group of the tenant: `skip` applies the known ones
 * and records the unknown in the provisioning log (Okta treats a 400 as permanent and drops the whole push), `reject`
 * answers 400 naming them.
 */
export type UnknownGroupMembersPolicy = 'skip' | 'reject';

export interface TenantSettingsValues {
  readonly externalIdUniqueness: ExternalIdUniqueness;
  readonly unknownGroupMembers: UnknownGroupMembersPolicy;
}

/**
 * Each tenant's provisioning settings, read synchronously on the request path. This first version answers the
 * deployment's defaults (SCIM_EXTERNAL_ID_UNIQUENESS, SCIM_UNKNOWN_GROUP_MEMBERS) for every tenant; per-tenant
 * values stored with the tenant replace them (issue 13, part 1).
 */
export class TenantSettings {
  constructor(private readonly defaults: TenantSettingsValues) {}

  static fromConfig(config: Pick<GatewayConfig, 'externalIdUniqueness' | 'unknownGroupMembers'>): TenantSettings {
    return new TenantSettings({ externalIdUniqueness: config.externalIdUniqueness, unknownGroupMembers: config.unknownGroupMembers });
  }

  forTenant(_tenantId: string): TenantSettingsValues {
    return this.defaults;
  }
}
