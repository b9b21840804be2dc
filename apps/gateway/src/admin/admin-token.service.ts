import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { generateToken, hashToken } from '../tenancy/token.service.js';

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

  /** The admin token's id, or null when the token is unknown or revoked. */
  async authenticate(token: string): Promise<string | null> {
    const hash = hashToken(token);
    const rows: { id: string; token_hash: string }[] = await this.dataSource.query(
      `SELECT id, token_hash FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    if (rows.length === 0 || !timingSafeEqual(Buffer.from(rows[0].token_hash), Buffer.from(hash))) return null;
    return rows[0].id;
  }
}
