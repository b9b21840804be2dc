import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { NotFoundError, ScimError } from '#scim/scim-error.js';
import { generateToken, hashToken } from '../tenancy/token.service.js';
import { updatedRows } from '../tenancy/updated-rows.js';

/** An admin token as the admin API shows it: never the token, never its hash. */
export interface AdminTokenView {
  readonly id: string;
  readonly label: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A new admin token: `token` is shown in this answer only. */
export interface IssuedAdminToken extends AdminTokenView {
  readonly token: string;
}

interface AdminTokenRow {
  id: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AdminTokenBootstrap {
  /** The new admin token, when one was generated now: print it once, it is not stored. */
  readonly generatedToken: string | null;
}

/**
 * The admin API's tokens (docs/admin.md): separate from every tenant's SCIM tokens, stored as SHA-256 like them.
 * ADMIN_TOKEN registers a token of the operator's choosing; without it the first start generates one.
 */
export class AdminTokenService {
  constructor(private readonly dataSource: DataSource) {}

  async bootstrap(configuredToken: string | undefined): Promise<AdminTokenBootstrap> {
    return this.dataSource.transaction(async (manager) => {
      if (configuredToken !== undefined) {
        await manager.query(
          `INSERT INTO admin_tokens (id, token_hash, label, created_at) VALUES ($1, $2, 'ADMIN_TOKEN', now()) ON CONFLICT (token_hash) DO NOTHING`,
          [randomUUID(), hashToken(configuredToken)],
        );
        return { generatedToken: null };
      }
      // Serialise concurrent first starts on a shared server: only one of them generates a token.
      await manager.query(`LOCK TABLE admin_tokens IN EXCLUSIVE MODE`);
      const existing: unknown[] = await manager.query(`SELECT 1 FROM admin_tokens LIMIT 1`);
      if (existing.length > 0) return { generatedToken: null };
      const token = generateToken('admin');
      await manager.query(`INSERT INTO admin_tokens (id, token_hash, label, created_at) VALUES ($1, $2, 'generated on first start', now())`, [
        randomUUID(),
        hashToken(token),
      ]);
      return { generatedToken: token };
    });
  }

  /** Every admin token, oldest first. */
  async list(): Promise<AdminTokenView[]> {
    const rows: AdminTokenRow[] = await this.dataSource.query(`SELECT id, label, created_at, revoked_at FROM admin_tokens ORDER BY created_at, id`);
    return rows.map(viewOf);
  }

  /** A new admin token (for another operator or an automation), so each can be revoked on its own. */
  async create(label: string): Promise<IssuedAdminToken> {
    const token = generateToken('admin');
    const rows: AdminTokenRow[] = await this.dataSource.query(
      `INSERT INTO admin_tokens (id, token_hash, label, created_at) VALUES ($1, $2, $3, now()) RETURNING id, label, created_at, revoked_at`,
      [randomUUID(), hashToken(token), label],
    );
    return { ...viewOf(rows[0]), token };
  }

  /**
   * Refused from the next admin request on, in every gateway process (admin tokens are not cached). The last
   * active admin token cannot be revoked (409): that would lock everyone out of the admin API until a restart
   * with a new ADMIN_TOKEN. Revoking twice keeps the first revokedAt.
   */
  async revoke(id: string): Promise<AdminTokenView> {
    if (!UUID.test(id)) throw new NotFoundError(`admin token "${id}" not found`);
    return this.dataSource.transaction(async (manager) => {
      // Serialises revocations, so two of them cannot each leave the other as the last active token.
      await manager.query(`LOCK TABLE admin_tokens IN SHARE ROW EXCLUSIVE MODE`);
      const rows: AdminTokenRow[] = await manager.query(`SELECT id, label, created_at, revoked_at FROM admin_tokens WHERE id = $1`, [id]);
      if (rows.length === 0) throw new NotFoundError(`admin token "${id}" not found`);
      if (rows[0].revoked_at !== null) return viewOf(rows[0]);
      const others: { active: string }[] = await manager.query(`SELECT count(*)::text AS active FROM admin_tokens WHERE revoked_at IS NULL AND id <> $1`, [id]);
      if (Number(others[0].active) === 0) {
        throw new ScimError(409, undefined, `admin token ${id} is the last active one; create another admin token first, then revoke this one`);
      }
      const revoked = updatedRows<AdminTokenRow>(
        await manager.query(`UPDATE admin_tokens SET revoked_at = now() WHERE id = $1 RETURNING id, label, created_at, revoked_at`, [id]),
      );
      return viewOf(revoked[0]);
    });
  }

  /** The admin token's id, or why it opens nothing (scim_auth_failures_total; the client sees the same 401 either way). */
  async authenticate(token: string): Promise<{ readonly tokenId: string } | { readonly refused: 'unknown' | 'revoked' }> {
    const hash = hashToken(token);
    const rows: { id: string; token_hash: string; revoked: boolean }[] = await this.dataSource.query(
      `SELECT id, token_hash, revoked_at IS NOT NULL AS revoked FROM admin_tokens WHERE token_hash = $1`,
      [hash],
    );
    if (rows.length === 0 || !timingSafeEqual(Buffer.from(rows[0].token_hash), Buffer.from(hash))) return { refused: 'unknown' };
    return rows[0].revoked ? { refused: 'revoked' } : { tokenId: rows[0].id };
  }
}

function viewOf(row: AdminTokenRow): AdminTokenView {
  return {
    id: row.id,
    label: row.label,
    status: row.revoked_at === null ? 'active' : 'revoked',
    createdAt: new Date(row.created_at).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}
