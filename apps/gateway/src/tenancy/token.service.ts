import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ExternalIdUniqueness } from './tenant-settings.js';
import { insertTenant } from './tenant-rows.js';

export interface AuthenticatedToken {
  readonly tenantId: string;
  readonly tokenId: string;
}

/** Why a bearer token opens nothing; never told to the client. */
export type TokenRefusal = 'unknown' | 'revoked' | 'expired' | 'tenant_disabled';

export interface DefaultTenantBootstrap {
  /** The new token, when one was generated now: print it once, it is not stored. */
  readonly generatedToken: string | null;
  readonly tenantCreated: boolean;
}

export const DEFAULT_TENANT = 'default';

/** Tokens are 32 random bytes, so a fast hash is enough: there is nothing to brute-force (unlike passwords). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token; the prefix tells an operator (and a secret scanner) what kind of token leaked. */
export function generateToken(kind: 'scim' | 'admin' = 'scim'): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

/** How long a positive lookup is reused: a revocation made by another gateway process takes effect within this. */
export const TOKEN_CACHE_MS = 5_000;
/** A token's last_used_at is written at most this often per token and process. */
export const LAST_USE_WRITE_INTERVAL_MS = 60_000;

export interface TokenServiceOptions {
  readonly cacheMs?: number;
  readonly lastUseWriteIntervalMs?: number;
  readonly logger?: Pick<Logger, 'warn'>;
  /** The externalId uniqueness the tenant `default` is created with: the deployment's default (SCIM_EXTERNAL_ID_UNIQUENESS). */
  readonly newTenantExternalIdUniqueness?: ExternalIdUniqueness;
}

interface CachedToken {
  readonly token: AuthenticatedToken;
  readonly until: number;
}

/**
 * Tenants and their SCIM tokens (DESIGN.md "Tenants and tokens"). Lookups are by the token's hash; the stored
 * hash is then compared in constant time. Positive lookups are cached for TOKEN_CACHE_MS (never past the
 * token's expiry): a revocation or a tenant disabled through this process's admin API evicts at once
 * (`forgetToken`, `forgetTenant`); one made through another gateway process takes effect here within TOKEN_CACHE_MS.
 */
export class TokenService {
  private readonly cache = new Map<string, CachedToken>();
  private readonly cacheMs: number;
  private readonly lastUseWriteIntervalMs: number;
  private readonly logger: Pick<Logger, 'warn'>;
  private readonly newTenantExternalIdUniqueness: ExternalIdUniqueness;
  /** Per token id: when this process last wrote its last_used_at. */
  private readonly lastUseWritten = new Map<string, number>();
  private readonly lastUseWrites = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    options: TokenServiceOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? TOKEN_CACHE_MS;
    this.lastUseWriteIntervalMs = options.lastUseWriteIntervalMs ?? LAST_USE_WRITE_INTERVAL_MS;
    this.logger = options.logger ?? new Logger('TokenService');
    // RFC 7643 §3.1's, as SCIM_EXTERNAL_ID_UNIQUENESS defaults to; the gateway passes its configured value.
    this.newTenantExternalIdUniqueness = options.newTenantExternalIdUniqueness ?? 'none';
  }

  /**
   * First start: create the tenant `default` and a token (or register `configuredToken`). Later starts change
   * nothing, except registering `configuredToken` if it is new.
   */
  async bootstrapDefaultTenant(configuredToken: string | undefined): Promise<DefaultTenantBootstrap> {
    return this.dataSource.transaction(async (manager) => {
      const tenantCreated = (await insertTenant(manager, { id: DEFAULT_TENANT, displayName: null, createdAt: new Date() }, this.newTenantExternalIdUniqueness)) !== null;
      if (configuredToken !== undefined) {
        await manager.query(
          `INSERT INTO scim_tokens (id, tenant_id, token_hash, label, created_at) VALUES ($1, $2, $3, 'SCIM_BEARER_TOKEN', now())
           ON CONFLICT (token_hash) DO NOTHING`,
          [randomUUID(), DEFAULT_TENANT, hashToken(configuredToken)],
        );
        return { generatedToken: null, tenantCreated };
      }
      if (!tenantCreated) return { generatedToken: null, tenantCreated };
      const token = generateToken();
      await manager.query(
        `INSERT INTO scim_tokens (id, tenant_id, token_hash, label, created_at) VALUES ($1, $2, $3, 'generated on first start', now())`,
        [randomUUID(), DEFAULT_TENANT, hashToken(token)],
      );
      return { generatedToken: token, tenantCreated };
    });
  }

  /** The tenant and token id a bearer token belongs to, or null (unknown, revoked, expired, tenant disabled). */
  async authenticate(token: string, now: Date): Promise<AuthenticatedToken | null> {
    const checked = await this.check(token, now);
    return typeof checked === 'string' ? null : checked;
  }

  /**
   * Like authenticate, but a refused token says why (scim_auth_failures_total): the same one query, which reads
   * the token whatever its state and decides here. The client is told none of it (every refusal is the same 401).
   */
  async check(token: string, now: Date): Promise<AuthenticatedToken | TokenRefusal> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > now.getTime()) {
      this.recordUse(cached.token.tokenId, now);
      return cached.token;
    }

    const rows: { id: string; tenant_id: string; token_hash: string; expires_at: Date | null; revoked: boolean; tenant_active: boolean }[] =
      await this.dataSource.query(
        `SELECT t.id, t.tenant_id, t.token_hash, t.expires_at, t.revoked_at IS NOT NULL AS revoked, n.status = 'active' AS tenant_active
         FROM scim_tokens t JOIN tenants n ON n.id = t.tenant_id WHERE t.token_hash = $1`,
        [hash],
      );
    const row = rows[0];
    const refusal: TokenRefusal | null =
      row === undefined || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))
        ? 'unknown'
        : row.revoked
          ? 'revoked'
          : row.expires_at !== null && new Date(row.expires_at).getTime() <= now.getTime()
            ? 'expired'
            : !row.tenant_active
              ? 'tenant_disabled'
              : null;
    if (refusal !== null) {
      this.cache.delete(hash);
      return refusal;
    }
    const authenticated = { tenantId: row.tenant_id, tokenId: row.id };
    if (this.cache.size > 10_000) this.cache.clear();
    // A token in its rotation grace period must stop working at its expiry, not up to cacheMs later.
    const expiresAt = row.expires_at === null ? Number.POSITIVE_INFINITY : new Date(row.expires_at).getTime();
    this.cache.set(hash, { token: authenticated, until: Math.min(now.getTime() + this.cacheMs, expiresAt) });
    this.recordUse(authenticated.tokenId, now);
    return authenticated;
  }

  /** Drops a token from this process's cache (revoked or rotated here): the next request reads the database. */
  forgetToken(tokenId: string): void {
    for (const [hash, cached] of this.cache) if (cached.token.tokenId === tokenId) this.cache.delete(hash);
  }

  /** Drops every cached token of a tenant (disabled here). */
  forgetTenant(tenantId: string): void {
    for (const [hash, cached] of this.cache) if (cached.token.tenantId === tenantId) this.cache.delete(hash);
  }

  /** Resolves when the last_used_at writes started so far have finished (tests, shutdown). */
  async lastUseWritesSettled(): Promise<void> {
    await Promise.all([...this.lastUseWrites]);
  }

  /**
   * Records a use without a database write per request: at most one write per token every
   * lastUseWriteIntervalMs in this process, in the background. A failed write is logged and never fails the
   * request; the column only moves forward, so processes writing out of order do not move it back.
   */
  private recordUse(tokenId: string, now: Date): void {
    const last = this.lastUseWritten.get(tokenId);
    if (last !== undefined && now.getTime() - last < this.lastUseWriteIntervalMs) return;
    if (this.lastUseWritten.size > 10_000) this.lastUseWritten.clear();
    this.lastUseWritten.set(tokenId, now.getTime());
    const write = this.dataSource
      .query(`UPDATE scim_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`, [tokenId, now])
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn(`recording the last use of token ${tokenId} failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => this.lastUseWrites.delete(write));
    this.lastUseWrites.add(write);
  }
}
