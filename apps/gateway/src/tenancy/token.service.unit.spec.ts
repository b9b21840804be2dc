import type { DataSource } from 'typeorm';
import { hashToken, TokenService } from './token.service.js';

/** A DataSource double: answers the token lookup from `tokens`, records every statement, can fail the UPDATEs. */
function fakeDataSource(tokens: Record<string, { id: string; tenant_id: string; expires_at: Date | null; revoked?: boolean; tenant_active?: boolean }>) {
  const statements: string[] = [];
  let failUpdates = false;
  const dataSource = {
    query: async (sql: string, params: unknown[]) => {
      statements.push(sql.trim().split(/\s+/)[0]);
      if (sql.trim().startsWith('UPDATE')) {
        if (failUpdates) throw new Error('connection lost');
        return [];
      }
      const row = Object.entries(tokens).find(([token]) => hashToken(token) === params[0]);
      return row ? [{ revoked: false, tenant_active: true, ...row[1], token_hash: params[0] }] : [];
    },
  } as unknown as DataSource;
  return { dataSource, statements, failUpdates: () => (failUpdates = true) };
}

const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

describe('TokenService', () => {
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };

  it('says why a token is refused: unknown, revoked, expired, or its tenant disabled', async () => {
    const db = fakeDataSource({
      'scim_revoked': { id: 't1', tenant_id: 'contoso', expires_at: null, revoked: true },
      'scim_expired': { id: 't2', tenant_id: 'contoso', expires_at: at(0) },
      'scim_disabled': { id: 't3', tenant_id: 'fabrikam', expires_at: null, tenant_active: false },
      'scim_fine': { id: 't4', tenant_id: 'contoso', expires_at: at(1) },
    });
    const service = new TokenService(db.dataSource, { logger });
    expect(await service.check('scim_nobody', at(0))).toBe('unknown');
    expect(await service.check('scim_revoked', at(0))).toBe('revoked');
    expect(await service.check('scim_expired', at(0))).toBe('expired');
    expect(await service.check('scim_disabled', at(0))).toBe('tenant_disabled');
    expect(await service.check('scim_fine', at(0))).toEqual({ tenantId: 'contoso', tokenId: 't4' });
    expect(await service.authenticate('scim_expired', at(0))).toBeNull();
  });

  it('reuses a lookup for cacheMs, then reads again', async () => {
    const db = fakeDataSource({ 'scim_a-token': { id: 't1', tenant_id: 'contoso', expires_at: null } });
    const service = new TokenService(db.dataSource, { cacheMs: 5_000, logger });
    expect(await service.authenticate('scim_a-token', at(0))).toEqual({ tenantId: 'contoso', tokenId: 't1' });
    await service.authenticate('scim_a-token', at(4_999));
    expect(db.statements.filter((s) => s === 'SELECT')).toHaveLength(1);
    await service.authenticate('scim_a-token', at(5_000));
    expect(db.statements.filter((s) => s === 'SELECT')).toHaveLength(2);
  });

  it('never uses a cached lookup past the token expiry', async () => {
    const db = fakeDataSource({ 'scim_expiring': { id: 't1', tenant_id: 'contoso', expires_at: at(1_000) } });
    const service = new TokenService(db.dataSource, { cacheMs: 5_000, logger });
    await service.authenticate('scim_expiring', at(0));
    await service.authenticate('scim_expiring', at(1_000));
    expect(db.statements.filter((s) => s === 'SELECT')).toHaveLength(2);
  });

  it('forgets a token, or all of a tenant\'s tokens, on request', async () => {
    const db = fakeDataSource({
      'scim_one': { id: 't1', tenant_id: 'contoso', expires_at: null },
      'scim_two': { id: 't2', tenant_id: 'contoso', expires_at: null },
    });
    const service = new TokenService(db.dataSource, { logger });
    await service.authenticate('scim_one', at(0));
    await service.authenticate('scim_two', at(0));
    service.forgetToken('t1');
    await service.authenticate('scim_one', at(1));
    await service.authenticate('scim_two', at(1));
    expect(db.statements.filter((s) => s === 'SELECT')).toHaveLength(3);
    service.forgetTenant('contoso');
    await service.authenticate('scim_one', at(2));
    await service.authenticate('scim_two', at(2));
    expect(db.statements.filter((s) => s === 'SELECT')).toHaveLength(5);
  });

  it('writes last_used_at at most once per interval per token', async () => {
    const db = fakeDataSource({ 'scim_busy': { id: 't1', tenant_id: 'contoso', expires_at: null } });
    const service = new TokenService(db.dataSource, { lastUseWriteIntervalMs: 60_000, logger });
    for (let second = 0; second < 120; second++) await service.authenticate('scim_busy', at(second * 1000));
    await service.lastUseWritesSettled();
    expect(db.statements.filter((s) => s === 'UPDATE')).toHaveLength(2);
  });

  it('never fails a request when recording its use fails: it logs a warning', async () => {
    const db = fakeDataSource({ 'scim_ok': { id: 't1', tenant_id: 'contoso', expires_at: null } });
    db.failUpdates();
    const service = new TokenService(db.dataSource, { logger });
    expect(await service.authenticate('scim_ok', at(0))).toEqual({ tenantId: 'contoso', tokenId: 't1' });
    await service.lastUseWritesSettled();
    expect(warnings).toEqual([expect.stringContaining('recording the last use of token t1 failed: connection lost')]);
  });

  it('answers null for an unknown token', async () => {
    const service = new TokenService(fakeDataSource({}).dataSource, { logger });
    expect(await service.authenticate('scim_unknown', at(0))).toBeNull();
  });
});
