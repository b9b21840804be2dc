import type { DataSource } from 'typeorm';
import { NotFoundError, UniquenessError } from '#scim/scim-error.js';
import type { CreateTenantInput } from './tenancy-input.js';
import type { ExternalIdUniqueness } from './tenant-settings.js';
import { insertTenant, TENANT_COLUMNS, type TenantRow } from './tenant-rows.js';
import type { TokenService } from './token.service.js';
import { updatedRows } from './updated-rows.js';

/** A tenant as the admin API shows it. */
export interface TenantView {
  readonly id: string;
  readonly displayName: string | null;
  readonly status: 'active' | 'disabled';
  readonly createdAt: string;
  readonly disabledAt: string | null;
}


/**
 * Creating, listing, disabling and enabling tenants (docs/admin.md). A tenant is never deleted: its events are
 * kept for ever and name it; disabling one refuses all of its tokens at once (401).
 */
export class TenantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    /** A new tenant's externalId uniqueness: the deployment's default (SCIM_EXTERNAL_ID_UNIQUENESS). */
    private readonly newTenantExternalIdUniqueness: ExternalIdUniqueness,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create({ id, displayName }: CreateTenantInput): Promise<TenantView> {
    const row = await insertTenant(this.dataSource, { id, displayName, createdAt: this.clock() }, this.newTenantExternalIdUniqueness);
    if (!row) throw new UniquenessError(`tenant "${id}" already exists`);
    return toView(row);
  }

  async list(): Promise<TenantView[]> {
    const rows: TenantRow[] = await this.dataSource.query(`SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY id`);
    return rows.map(toView);
  }

  /** The tenant, or 404. */
  async get(id: string): Promise<TenantView> {
    const rows: TenantRow[] = await this.dataSource.query(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1`, [id]);
    if (rows.length === 0) throw tenantNotFound(id);
    return toView(rows[0]);
  }

  /** Idempotent: disabling a disabled tenant keeps its first disabledAt. */
  async disable(id: string): Promise<TenantView> {
    const rows = updatedRows<TenantRow>(
      await this.dataSource.query(`UPDATE tenants SET status = 'disabled', disabled_at = COALESCE(disabled_at, $2) WHERE id = $1 RETURNING ${TENANT_COLUMNS}`, [
        id,
        this.clock(),
      ]),
    );
    if (rows.length === 0) throw tenantNotFound(id);
    this.tokens.forgetTenant(id);
    return toView(rows[0]);
  }

  async enable(id: string): Promise<TenantView> {
    const rows = updatedRows<TenantRow>(
      await this.dataSource.query(`UPDATE tenants SET status = 'active', disabled_at = NULL WHERE id = $1 RETURNING ${TENANT_COLUMNS}`, [id]),
    );
    if (rows.length === 0) throw tenantNotFound(id);
    return toView(rows[0]);
  }
}

/** Throws the admin API's 404 unless the tenant exists (enabled or not): for routes scoped to a tenant. */
export async function requireTenant(dataSource: Pick<DataSource, 'query'>, id: string): Promise<void> {
  const rows: unknown[] = await dataSource.query(`SELECT 1 FROM tenants WHERE id = $1`, [id]);
  if (rows.length === 0) throw tenantNotFound(id);
}

export function tenantNotFound(id: string): NotFoundError {
  return new NotFoundError(`tenant "${id}" not found`);
}

function toView(row: TenantRow): TenantView {
  return {
    id: row.id,
    displayName: row.display_name,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at).toISOString(),
  };
}
