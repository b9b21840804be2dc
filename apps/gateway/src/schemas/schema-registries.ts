import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { ResourceTypeName } from '#scim/schema/resource-type.js';
import { sameUrn, SchemaRegistry, type SchemaExtensionRegistration } from '#scim/schema/schema.registry.js';
import { InvalidValueError, NotFoundError, ScimError } from '#scim/scim-error.js';
import { extensionRegistrationProblems } from '../schema-registry.loader.js';
import { TenantSettings, type TenantSettingsValues } from '../tenancy/tenant-settings.js';
import { requireTenant } from '../tenancy/tenants.service.js';

export interface TenantSchema {
  readonly tenantId: string;
  readonly resourceType: ResourceTypeName;
  readonly schema: SchemaExtensionRegistration['schema'];
  readonly required: boolean;
  readonly updatedAt: string;
}

/**
 * Each tenant's schemas (docs/admin.md "Tenant schemas"): the deployment's registry (core, EnterpriseUser,
 * SCIM_EXTENSIONS_FILE) plus the extension schemas the admin API gave that tenant, with externalId's uniqueness
 * as the tenant's settings say (docs/admin.md "Tenant settings"). Lookups are synchronous from memory; every
 * process re-reads the tenant schemas and settings when their generation counter moves (checked every REFRESH_MS,
 * and at once after a change made through this process), so another gateway sees a change within REFRESH_MS.
 */
export class SchemaRegistries implements OnModuleInit, OnModuleDestroy {
  static readonly REFRESH_MS = 5_000;
  private readonly logger = new Logger('SchemaRegistries');
  private byTenant = new Map<string, SchemaRegistry>();
  private generation: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** The registry of a tenant with no schemas of its own and the default settings. */
  private readonly defaultRegistry: SchemaRegistry;

  constructor(
    readonly base: SchemaRegistry,
    private readonly dataSource: DataSource,
    readonly settings: TenantSettings,
  ) {
    this.defaultRegistry = base.withExternalIdUniqueness(settings.defaults.externalIdUniqueness);
  }

  /** The registry requests of this tenant are validated, filtered, presented and kept unique with. */
  forTenant(tenantId: string): SchemaRegistry {
    return this.byTenant.get(tenantId) ?? this.defaultRegistry;
  }

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.error(`reading tenant schemas failed: ${String(error)}`));
    }, SchemaRegistries.REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Re-reads every tenant's schemas and settings when the generation moved (or `force`). */
  async refresh(force = false): Promise<void> {
    const [{ generation }]: { generation: string }[] = await this.dataSource.query(`SELECT generation::text AS generation FROM tenant_schemas_generation WHERE id = 1`);
    if (!force && generation === this.generation) return;
    const [rows, settings] = [await this.rows(), await this.storedSettings()];
    const registrations = new Map<string, SchemaExtensionRegistration[]>();
    for (const row of rows) {
      const list = registrations.get(row.tenantId) ?? [];
      list.push({ resourceType: row.resourceType, schema: row.schema, required: row.required });
      registrations.set(row.tenantId, list);
    }
    const byTenant = new Map<string, SchemaRegistry>();
    for (const tenantId of new Set([...registrations.keys(), ...settings.keys()])) {
      const uniqueness = (settings.get(tenantId) ?? this.settings.defaults).externalIdUniqueness;
      let registry = this.base;
      try {
        registry = this.base.withExtensions(registrations.get(tenantId) ?? []);
      } catch (error) {
        // Validated when stored, so only a SCIM_EXTENSIONS_FILE that gained the same URN since can get here.
        this.logger.error(`tenant ${tenantId}: its schemas are ignored until fixed: ${(error as Error).message}`);
      }
      byTenant.set(tenantId, registry.withExternalIdUniqueness(uniqueness));
    }
    this.settings.replaceAll(settings);
    this.byTenant = byTenant;
    this.generation = generation;
  }

  /**
   * Makes a change to tenant schemas or settings visible: `change` runs in a transaction that also moves the
   * generation, then this process re-reads at once (others within REFRESH_MS).
   */
  async change<T>(change: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(async (manager) => {
      const changed = await change(manager);
      await manager.query(`UPDATE tenant_schemas_generation SET generation = generation + 1 WHERE id = 1`);
      return changed;
    });
    await this.refresh(true);
    return result;
  }

  async list(tenantId: string): Promise<TenantSchema[]> {
    await requireTenant(this.dataSource, tenantId);
    return this.rows(tenantId);
  }

  /** Adds or replaces one extension schema of a tenant (matched by resource type and URN, case-insensitively). */
  async put(tenantId: string, registration: unknown): Promise<TenantSchema> {
    const problems = extensionRegistrationProblems([registration], 'schema');
    if (problems.length > 0) throw new InvalidValueError(problems.map((problem) => problem.replace('schema[0]', 'body')).join('; '));
    const { resourceType, schema, required = false } = registration as SchemaExtensionRegistration;
    await requireTenant(this.dataSource, tenantId);
    const others = (await this.rows(tenantId)).filter((row) => !(row.resourceType === resourceType && sameUrn(row.schema.id, schema.id)));
    try {
      this.base.withExtensions([...others.map((row) => ({ resourceType: row.resourceType, schema: row.schema, required: row.required })), { resourceType, schema, required }]);
    } catch (error) {
      const message = (error as Error).message;
      throw new ScimError(/registered twice/.test(message) ? 409 : 400, /registered twice/.test(message) ? 'uniqueness' : 'invalidValue', `schema ${schema.id}: ${message}`);
    }
    await this.change(async (manager) => {
      await manager.query(
        `INSERT INTO tenant_schemas (tenant_id, resource_type, schema_id, schema_id_lower, definition, required, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (tenant_id, resource_type, schema_id_lower)
         DO UPDATE SET schema_id = EXCLUDED.schema_id, definition = EXCLUDED.definition, required = EXCLUDED.required, updated_at = now()`,
        [tenantId, resourceType, schema.id, schema.id.toLowerCase(), JSON.stringify(schema), required],
      );
    });
    return (await this.rows(tenantId)).find((row) => row.resourceType === resourceType && sameUrn(row.schema.id, schema.id))!;
  }

  async remove(tenantId: string, resourceType: string, schemaId: string): Promise<void> {
    await requireTenant(this.dataSource, tenantId);
    await this.change(async (manager) => {
      // A CTE so the driver answers with rows (TypeORM answers a bare DELETE with [rows, count]).
      const [{ deleted }]: { deleted: number }[] = await manager.query(
        `WITH gone AS (DELETE FROM tenant_schemas WHERE tenant_id = $1 AND resource_type = $2 AND schema_id_lower = $3 RETURNING 1)
         SELECT count(*)::int AS deleted FROM gone`,
        [tenantId, resourceType, schemaId.toLowerCase()],
      );
      if (deleted === 0) throw new NotFoundError(`tenant ${tenantId} has no ${resourceType} schema ${schemaId}`);
    });
  }

  /** Every tenant's settings as stored (tenants.external_id_uniqueness; tenants.unknown_group_members, null: the default). */
  private async storedSettings(): Promise<Map<string, TenantSettingsValues>> {
    const rows: { id: string; external_id_uniqueness: TenantSettingsValues['externalIdUniqueness']; unknown_group_members: TenantSettingsValues['unknownGroupMembers'] | null }[] =
      await this.dataSource.query(`SELECT id, external_id_uniqueness, unknown_group_members FROM tenants`);
    return new Map(
      rows.map((row) => [
        row.id,
        { externalIdUniqueness: row.external_id_uniqueness, unknownGroupMembers: row.unknown_group_members ?? this.settings.defaults.unknownGroupMembers },
      ]),
    );
  }

  private async rows(tenantId?: string): Promise<TenantSchema[]> {
    const rows: { tenant_id: string; resource_type: ResourceTypeName; definition: SchemaExtensionRegistration['schema']; required: boolean; updated_at: Date }[] =
      await this.dataSource.query(
        `SELECT tenant_id, resource_type, definition, required, updated_at FROM tenant_schemas
         WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY tenant_id, resource_type, updated_at, schema_id_lower`,
        [tenantId ?? null],
      );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      resourceType: row.resource_type,
      schema: row.definition,
      required: row.required,
      updatedAt: new Date(row.updated_at).toISOString(),
    }));
  }
}
