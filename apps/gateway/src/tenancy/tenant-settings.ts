import type { GatewayConfig } from '#config/gateway.config.js';
import type { ExternalIdUniqueness } from '#scim/schema/schema.registry.js';

/** How a tenant treats a second resource with an externalId already in use (RFC 7643 §3.1 says the server does not). */
export type { ExternalIdUniqueness };

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

export const EXTERNAL_ID_UNIQUENESS_VALUES: readonly ExternalIdUniqueness[] = ['none', 'server'];
export const UNKNOWN_GROUP_MEMBERS_VALUES: readonly UnknownGroupMembersPolicy[] = ['skip', 'reject'];

/**
 * Each tenant's provisioning settings (docs/admin.md "Tenant settings"), read synchronously on the request path.
 * They are stored with the tenant and kept current by SchemaRegistries.refresh, on the same generation counter as
 * the tenant schemas: externalId uniqueness is part of the tenant's schemas (its /Schemas shows it), so the two
 * are read together and never disagree. A new tenant is created with SCIM_EXTERNAL_ID_UNIQUENESS; its
 * unknown-member policy is SCIM_UNKNOWN_GROUP_MEMBERS until the admin API gives it its own. A tenant not read
 * yet (created since, in another process) has the defaults, which is what it was created with.
 */
export class TenantSettings {
  private byTenant: ReadonlyMap<string, TenantSettingsValues> = new Map();

  constructor(readonly defaults: TenantSettingsValues) {}

  static fromConfig(config: Pick<GatewayConfig, 'externalIdUniqueness' | 'unknownGroupMembers'>): TenantSettings {
    return new TenantSettings({ externalIdUniqueness: config.externalIdUniqueness, unknownGroupMembers: config.unknownGroupMembers });
  }

  forTenant(tenantId: string): TenantSettingsValues {
    return this.byTenant.get(tenantId) ?? this.defaults;
  }

  /** Every tenant's stored settings, as SchemaRegistries.refresh last read them. */
  replaceAll(byTenant: ReadonlyMap<string, TenantSettingsValues>): void {
    this.byTenant = byTenant;
  }
}
