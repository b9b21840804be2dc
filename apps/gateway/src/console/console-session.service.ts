import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashToken } from '../tenancy/token.service.js';

/** A signed-in console session as the guard sees it. */
export interface ConsoleSession {
  readonly adminTokenId: string;
  readonly adminTokenLabel: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

/** A new session: `sessionId` goes into the cookie and nowhere else (the table keeps its hash). */
export interface StartedConsoleSession extends ConsoleSession {
  readonly sessionId: string;
}

export interface ConsoleSessionLimits {
  readonly idleMinutes: number;
  readonly maxHours: number;
  /** Sessions one admin token may hold; signing in once more ends its oldest (default 20). */
  readonly perAdminToken?: number;
}

interface SessionRow {
  admin_token_id: string;
  label: string;
  csrf_token: string;
  idle_expires_at: Date;
  expires_at: Date;
  revoked: boolean;
}

/** Session ids and CSRF tokens: 32 random bytes, base64url (43 characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** The idle expiry moves forward at most once a minute, so a busy console does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Console sessions (docs/console.md "Sessions"), in the gateway's database so every replica honours every session
 * and sign-out. A session belongs to the admin token it was opened with: revoking that token ends it.
 */
export class ConsoleSessionService {
  private readonly perAdminToken: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly limits: ConsoleSessionLimits,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.perAdminToken = limits.perAdminToken ?? 20;
  }

  async start(adminTokenId: string): Promise<StartedConsoleSession> {
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.limits.maxHours * 3_600_000);
    const idleExpiresAt = this.idleExpiry(now, expiresAt);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM console_sessions WHERE idle_expires_at <= $1 OR expires_at <= $1`, [now]);
      await manager.query(
        `INSERT INTO console_sessions (id_hash, admin_token_id, csrf_token, created_at, idle_expires_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [hashToken(sessionId), adminTokenId, csrfToken, now, idleExpiresAt, expiresAt],
      );
      // Bounded per admin token: the oldest sessions beyond the limit end.
      await manager.query(
        `DELETE FROM console_sessions WHERE admin_token_id = $1 AND id_hash IN (
           SELECT id_hash FROM console_sessions WHERE admin_token_id = $1 ORDER BY created_at DESC, id_hash OFFSET $2)`,
        [adminTokenId, this.perAdminToken],
      );
    });
    const label: { label: string }[] = await this.dataSource.query(`SELECT label FROM admin_tokens WHERE id = $1`, [adminTokenId]);
    return { sessionId, adminTokenId, adminTokenLabel: label[0]?.label ?? '', csrfToken, expiresAt: idleExpiresAt };
  }

  /** The live session of this cookie value, or null (unknown, expired, or its admin token revoked). */
  async find(sessionId: string): Promise<ConsoleSession | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    const now = this.now();
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT s.admin_token_id, t.label, s.csrf_token, s.idle_expires_at, s.expires_at, t.revoked_at IS NOT NULL AS revoked
         FROM console_sessions s JOIN admin_tokens t ON t.id = s.admin_token_id
        WHERE s.id_hash = $1`,
      [hashToken(sessionId)],
    );
    const row = rows[0];
    if (!row || row.revoked || new Date(row.idle_expires_at) <= now || new Date(row.expires_at) <= now) return null;
    let idleExpiresAt = new Date(row.idle_expires_at);
    const next = this.idleExpiry(now, new Date(row.expires_at));
    if (next.getTime() - idleExpiresAt.getTime() >= TOUCH_EVERY_MS) {
      await this.dataSource.query(`UPDATE console_sessions SET idle_expires_at = $2 WHERE id_hash = $1`, [hashToken(sessionId), next]);
      idleExpiresAt = next;
    }
    return { adminTokenId: row.admin_token_id, adminTokenLabel: row.label, csrfToken: row.csrf_token, expiresAt: idleExpiresAt };
  }

  async end(sessionId: string): Promise<void> {
    if (!SESSION_ID.test(sessionId)) return;
    await this.dataSource.query(`DELETE FROM console_sessions WHERE id_hash = $1`, [hashToken(sessionId)]);
  }

  private idleExpiry(now: Date, expiresAt: Date): Date {
    return new Date(Math.min(now.getTime() + this.limits.idleMinutes * 60_000, expiresAt.getTime()));
  }
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const [a, b] = [Buffer.from(expected), Buffer.from(given)];
  return a.length === b.length && timingSafeEqual(a, b);
}
