import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { openReadModelDataSource } from '#read-model/read-model.data-source.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { AdminTokenService } from '../admin/admin-token.service.js';
import { GATEWAY_MIGRATIONS } from '../gateway.tables.js';
import { ConsoleSessionService } from './console-session.service.js';

describe.each(testDatabases().map((backend) => [backend.name, backend] as const))('console sessions on %s', (_name, backend) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let tokens: AdminTokenService;
  let now: Date;
  let sessions: ConsoleSessionService;
  const clock = () => now;
  const advance = (minutes: number) => (now = new Date(now.getTime() + minutes * 60_000));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    database = await backend.start();
    dataSource = await openReadModelDataSource({ connectionString: database.connectionString, poolSize: 2, extraMigrations: GATEWAY_MIGRATIONS });
    tokens = new AdminTokenService(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.stop();
  });
  beforeEach(() => {
    now = new Date('2026-12-08T09:00:00.000Z');
    sessions = new ConsoleSessionService(dataSource, { idleMinutes: 30, maxHours: 2, perAdminToken: 3 }, clock);
  });

  const adminToken = async (label: string) => tokens.create(label);

  it('starts a session that the cookie value finds, with the admin token it belongs to; the table keeps only a hash', async () => {
    const admin = await adminToken('alice');
    const started = await sessions.start(admin.id);
    expect(started.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.csrfToken).not.toBe(started.sessionId);
    expect(await sessions.find(started.sessionId)).toMatchObject({ adminTokenId: admin.id, adminTokenLabel: 'alice', csrfToken: started.csrfToken });
    const stored: { id_hash: string }[] = await dataSource.query(`SELECT id_hash FROM console_sessions WHERE admin_token_id = $1`, [admin.id]);
    expect(stored).toHaveLength(1);
    expect(stored[0].id_hash).not.toContain(started.sessionId);
    expect(await sessions.find('A'.repeat(43))).toBeNull();
    expect(await sessions.find('not a session id')).toBeNull();
  });

  it('ends after the idle time, moves the idle expiry while used, and never outlives the maximum', async () => {
    const admin = await adminToken('bob');
    const { sessionId } = await sessions.start(admin.id);
    advance(29);
    expect(await sessions.find(sessionId)).not.toBeNull(); // used: idle expiry now 09:59
    advance(29);
    expect(await sessions.find(sessionId)).not.toBeNull(); // 09:58, used again: 10:28
    advance(29);
    expect(await sessions.find(sessionId)).not.toBeNull(); // 10:27
    advance(29);
    expect(await sessions.find(sessionId)).not.toBeNull(); // 10:56, capped at 11:00 (2 hours)
    advance(5);
    expect(await sessions.find(sessionId)).toBeNull(); // 11:01: past the maximum, however busy

    const idle = await sessions.start(admin.id);
    advance(31);
    expect(await sessions.find(idle.sessionId)).toBeNull();
  });

  it('ends every session of an admin token the moment it is revoked', async () => {
    const admin = await adminToken('carol');
    await adminToken('another active one, so carol can be revoked');
    const { sessionId } = await sessions.start(admin.id);
    await tokens.revoke(admin.id);
    expect(await sessions.find(sessionId)).toBeNull();
  });

  it('ends at sign-out', async () => {
    const admin = await adminToken('dave');
    const { sessionId } = await sessions.start(admin.id);
    await sessions.end(sessionId);
    expect(await sessions.find(sessionId)).toBeNull();
  });

  it('keeps at most perAdminToken sessions per admin token: a new sign-in ends the oldest', async () => {
    const admin = await adminToken('erin');
    const started = [];
    for (let i = 0; i < 4; i += 1) {
      started.push(await sessions.start(admin.id));
      advance(1);
    }
    expect(await sessions.find(started[0].sessionId)).toBeNull();
    for (const session of started.slice(1)) expect(await sessions.find(session.sessionId)).not.toBeNull();
  });

  it('removes expired sessions at the next sign-in, so the table does not grow with abandoned ones', async () => {
    const admin = await adminToken('frank');
    await sessions.start(admin.id);
    advance(60);
    await sessions.start(admin.id);
    const rows: { n: string }[] = await dataSource.query(`SELECT count(*)::text AS n FROM console_sessions WHERE idle_expires_at <= $1`, [now]);
    expect(rows[0].n).toBe('0');
  });
});
