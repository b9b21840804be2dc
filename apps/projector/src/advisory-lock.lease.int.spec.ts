import pg from 'pg';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { AdvisoryLockLease } from './advisory-lock.lease.js';

const server = testDatabases().find((backend) => backend.name === 'postgres');
if (!server) process.stderr.write('skipped: advisory lock lease: DATABASE_URL is not set (advisory locks need a PostgreSQL server; PGlite shares one session)\n');

(server ? describe : describe.skip)('AdvisoryLockLease on PostgreSQL', () => {
  let database: TestDatabase;
  const leases: AdvisoryLockLease[] = [];

  beforeAll(async () => {
    database = await server!.start();
  });
  afterAll(async () => {
    for (const lease of leases) await lease.release();
    await database?.stop();
  });

  async function acquire(name: string, onLost: (reason: string) => void = () => undefined): Promise<AdvisoryLockLease | null> {
    const lease = await AdvisoryLockLease.tryAcquire(database.connectionString, name, { onLost, heartbeatMs: 100 });
    if (lease) leases.push(lease);
    return lease;
  }

  it('lets one session hold a name; another gets it once released; other names are independent', async () => {
    const first = await acquire('read-model.users');
    expect(first).not.toBeNull();
    expect(await acquire('read-model.users')).toBeNull();
    expect(await acquire('kafka.scim')).not.toBeNull();
    await first!.release();
    expect(await acquire('read-model.users')).not.toBeNull();
  });

  it('tells the holder at once when its session is gone, and frees the lock for a standby', async () => {
    let lost: string | null = null;
    const lease = await acquire('kafka.failover', (reason) => (lost = reason));
    expect(lease).not.toBeNull();
    const admin = new pg.Client({ connectionString: database.connectionString });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'projector lock kafka.failover'`);
    } finally {
      await admin.end();
    }
    const deadline = Date.now() + 5_000;
    while (lost === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lost).not.toBeNull();
    expect(await acquire('kafka.failover')).not.toBeNull();
  });
});
