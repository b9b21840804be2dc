import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, ScimError } from '#scim/scim-error.js';
import type { CreateTokenInput, RotateTokenInput } from './tenancy-input.js';
import { tenantNotFound } from './tenants.service.js';
import { generateToken, hashToken, type TokenService } from './token.service.js';
import { updatedRows } from './updated-rows.js';

/** A SCIM token as the admin API lists it: never the token, never its hash. */
export interface TokenView {
  readonly id: string;
  readonly tenantId: string;
  readonly label: string;
  /** Derived: revoked, else expired (including a rotated token past its grace period), else rotated (in grace), else active. */
  readonly status: 'active' | 'rotated' | 'expired' | 'revoked';
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  /** Up to a minute behind (TokenService writes it at most once a minute per token and process). */
  readonly lastUsedAt: string | null;
  readonly rotatedFrom: string | null;
  readonly replacedBy: string | null;
}

/** The one answer that carries the token itself: it is not stored and cannot be shown again. */
export interface IssuedToken extends TokenView {
  readonly token: string;
}

export interface RotatedToken extends IssuedToken {
  /** The old token, valid until its expiresAt (the end of the grace period). */
  readonly previous: TokenView;
}

interface TokenRow {
  id: string;
  tenant_id: string;
  label: string;
  created_at: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
  rotated_from: string | null;
  replaced_by: string | null;
}

const COLUMNS = 'id, tenant_id, label, created_at, expires_at, revoked_at, last_used_at, rotated_from, replaced_by';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A tenant's SCIM tokens (docs/admin.md): issued once, stored as SHA-256, rotated with a grace period, revoked
 * at once. Changes evict the token from this process's TokenService cache; other gateway processes see them
 * within TOKEN_CACHE_MS.
 */
export class ScimTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(tenantId: string, { label, expiresAt }: CreateTokenInput): Promise<IssuedToken> {
    const token = generateToken();
    const now = this.clock();
    const rows: TokenRow[] = await this.dataSource.query(
      `INSERT INTO scim_tokens (id, tenant_id, token_hash, label, created_at, expires_at)
       SELECT $1, id, $3, $4, $5, $6 FROM tenants WHERE id = $2
       RETURNING ${COLUMNS}`,
      [randomUUID(), tenantId, hashToken(token), label, now, expiresAt],
    );
    if (rows.length === 0) throw tenantNotFound(tenantId);
    return { ...toView(rows[0], now), token };
  }

  async list(tenantId: string): Promise<TokenView[]> {
    await this.assertTenant(this.dataSource.manager, tenantId);
    const rows: TokenRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM scim_tokens WHERE tenant_id = $1 ORDER BY created_at, id`, [tenantId]);
    const now = this.clock();
    return rows.map((row) => toView(row, now));
  }

  /**
   * Issues a new token and lets the old one work until the grace period ends (its expiresAt, never later than it
   * already was): the operator has that long to paste the new token into Entra's Secret Token.
   */
  async rotate(tenantId: string, tokenId: string, { gracePeriodSeconds, label, expiresAt }: RotateTokenInput): Promise<RotatedToken> {
    const now = this.clock();
    const token = generateToken();
    const result = await this.dataSource.transaction(async (manager) => {
      const old = await this.lockedToken(manager, tenantId, tokenId);
      const oldView = toView(old, now);
      if (oldView.status === 'revoked') throw new ScimError(409, undefined, `token ${tokenId} is revoked; create a new token instead`);
      if (oldView.status === 'rotated' || old.replaced_by !== null) {
        throw new ScimError(409, undefined, `token ${tokenId} was already rotated (replaced by ${old.replaced_by}); rotate that token instead`);
      }
      if (oldView.status === 'expired') throw new ScimError(409, undefined, `token ${tokenId} expired at ${oldView.expiresAt}; create a new token instead`);

      const newId = randomUUID();
      const [created]: TokenRow[] = await manager.query(
        `INSERT INTO scim_tokens (id, tenant_id, token_hash, label, created_at, expires_at, rotated_from) VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING ${COLUMNS}`,
        [newId, tenantId, hashToken(token), label ?? old.label, now, expiresAt, tokenId],
      );
      const graceEnd = new Date(now.getTime() + gracePeriodSeconds * 1000);
      const oldExpiry = old.expires_at === null ? null : new Date(old.expires_at);
      const [previous] = updatedRows<TokenRow>(
        await manager.query(`UPDATE scim_tokens SET replaced_by = $2, expires_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [
          tokenId,
          newId,
          oldExpiry !== null && oldExpiry < graceEnd ? oldExpiry : graceEnd,
        ]),
      );
      return { created, previous };
    });
    this.tokens.forgetToken(tokenId);
    return { ...toView(result.created, now), token, previous: toView(result.previous, now) };
  }

  /** Effective at once in this process; idempotent (a second revoke keeps the first revokedAt). */
  async revoke(tenantId: string, tokenId: string): Promise<TokenView> {
    if (!UUID.test(tokenId)) throw tokenNotFound(tenantId, tokenId);
    const now = this.clock();
    const rows = updatedRows<TokenRow>(
      await this.dataSource.query(
        `UPDATE scim_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND tenant_id = $2 RETURNING ${COLUMNS}`,
        [tokenId, tenantId, now],
      ),
    );
    this.tokens.forgetToken(tokenId);
    if (rows.length === 0) {
      await this.assertTenant(this.dataSource.manager, tenantId);
      throw tokenNotFound(tenantId, tokenId);
    }
    return toView(rows[0], now);
  }

  private async lockedToken(manager: EntityManager, tenantId: string, tokenId: string): Promise<TokenRow> {
    if (UUID.test(tokenId)) {
      const rows: TokenRow[] = await manager.query(`SELECT ${COLUMNS} FROM scim_tokens WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [tokenId, tenantId]);
      if (rows.length > 0) return rows[0];
    }
    await this.assertTenant(manager, tenantId);
    throw tokenNotFound(tenantId, tokenId);
  }

  private async assertTenant(manager: EntityManager, tenantId: string): Promise<void> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenantId]);
    if (rows.length === 0) throw tenantNotFound(tenantId);
  }
}

function tokenNotFound(tenantId: string, tokenId: string): NotFoundError {
  return new NotFoundError(`token ${tokenId} not found in tenant "${tenantId}"`);
}

function toView(row: TokenRow, now: Date): TokenView {
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
  const expired = row.expires_at !== null && new Date(row.expires_at).getTime() <= now.getTime();
  return {
    id: row.id,
    tenantId: row.tenant_id,
    label: row.label,
    status: row.revoked_at !== null ? 'revoked' : expired ? 'expired' : row.replaced_by !== null ? 'rotated' : 'active',
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
    rotatedFrom: row.rotated_from,
    replacedBy: row.replaced_by,
  };
}
