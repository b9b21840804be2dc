import type { DataSource, EntityManager } from 'typeorm';
import type { ExternalIdUniqueness } from './tenant-settings.js';

/** A row of `tenants` as the admin API reads it (settings aside: TenantSettings reads those). */
export interface TenantRow {
  id: string;
  display_name: string | null;
  status: 'active' | 'disabled';
  created_at: Date | string;
  disabled_at: Date | string | null;
}

export const TENANT_COLUMNS = 'id, display_name, status, created_at, disabled_at';

/**
 * Inserts an active tenant with its externalId uniqueness (its unknown-member policy stays the deployment's
 * default until set); null when the id exists already. The one place tenants are created.
 */
export async function insertTenant(
  queryable: Pick<DataSource | EntityManager, 'query'>,
  tenant: { readonly id: string; readonly displayName: string | null; readonly createdAt: Date },
  externalIdUniqueness: ExternalIdUniqueness,
): Promise<TenantRow | null> {
  const rows: TenantRow[] = await queryable.query(
    `INSERT INTO tenants (id, display_name, status, created_at, external_id_uniqueness) VALUES ($1, $2, 'active', $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING ${TENANT_COLUMNS}`,
    [tenant.id, tenant.displayName, tenant.createdAt, externalIdUniqueness],
  );
  return rows[0] ?? null;
}
