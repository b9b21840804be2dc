import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface AuthenticatedToken {
  readonly tenantId: string;
  readonly tokenId: string;
}

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

/**
 * Tenants and their SCIM tokens (DESIGN.md "Tenants and tokens"). Lookups are by the token's hash; the stored
 * hash is then compared in constant time. Positive lookups are cached briefly: a revocation takes effect
 * within CACHE_MS.
 */
export class TokenService {
  private static readonly CACHE_MS = 10_000;
  private readonly cache = new Map<string, { token: AuthenticatedToken; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * First start: create the tenant `default` and a token (or register `configuredToken`). Later starts change
   * nothing, except registering `configuredToken` if it is new.
   */
  async bootstrapDefaultTenant(configuredToken: string | undefined): Promise<DefaultTenantBootstrap> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO tenants (id, status, created_at) VALUES ($1, 'active', now()) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [DEFAULT_TENANT],
      );
      const tenantCreated = inserted.length > 0;
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
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > now.getTime()) return cached.token;

    const rows: { id: string; tenant_id: string; token_hash: string }[] = await this.dataSource.query(
      `SELECT t.id, t.tenant_id, t.token_hash FROM scim_tokens t JOIN tenants n ON n.id = t.tenant_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND n.status = 'active'`,
      [hash, now],
    );
    if (rows.length === 0 || !timingSafeEqual(Buffer.from(rows[0].token_hash), Buffer.from(hash))) return null;
    const authenticated = { tenantId: rows[0].tenant_id, tokenId: rows[0].id };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { token: authenticated, until: now.getTime() + TokenService.CACHE_MS });
    return authenticated;
  }
}
