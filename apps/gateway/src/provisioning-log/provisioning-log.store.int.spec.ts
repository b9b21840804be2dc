import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { openReadModelDataSource } from '#read-model/read-model.data-source.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { GATEWAY_MIGRATIONS } from '../gateway.tables.js';
import type { ProvisioningLogEntry } from './provisioning-log.entry.js';
import { encodeCursor, parseProvisioningLogQuery } from './provisioning-log.parameters.js';
import { ProvisioningLogRecorder } from './provisioning-log.recorder.js';
import { ProvisioningLogRetention, RETENTION_BATCH_SIZE } from './provisioning-log.retention.js';
import { ProvisioningLogStore, type ProvisioningLogFilter } from './provisioning-log.store.js';

const BASE = Date.parse('2026-03-01T12:00:00.000Z');
const minutes = (count: number) => new Date(BASE + count * 60_000);

function entry(overrides: Partial<ProvisioningLogEntry> = {}): ProvisioningLogEntry {
  return {
    at: minutes(0),
    tenantId: 'acme',
    tokenId: randomUUID(),
    requestId: randomUUID(),
    method: 'GET',
    path: '/scim/v2/Users',
    query: null,
    resourceType: 'User',
    resourceId: null,
    status: 200,
    durationMs: 1.5,
    scimType: null,
    detail: null,
    eventIds: [],
    dryRun: false,
    skippedMemberIds: [],
    skippedMemberCount: 0,
    ...overrides,
  };
}

describe.each(testDatabases().map((backend) => [backend.name, backend] as const))('provisioning log store on %s', (_name, backend) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: ProvisioningLogStore;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    database = await backend.start();
    dataSource = await openReadModelDataSource({
      connectionString: database.connectionString,
      poolSize: 2,
      extraMigrations: GATEWAY_MIGRATIONS,
    });
    store = new ProvisioningLogStore(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.stop();
  });
  beforeEach(async () => {
    await dataSource.query('DELETE FROM provisioning_log');
  });

  const all = async (filter: ProvisioningLogFilter) => (await store.query(filter, 1000)).entries;

  it('stores every field and reads it back, newest first', async () => {
    const eventIds = [randomUUID(), randomUUID()];
    const created = entry({
      at: minutes(1),
      method: 'POST',
      query: 'attributes=userName',
      resourceId: 'u-1',
      status: 201,
      durationMs: 12.3,
      eventIds,
      dryRun: true,
      skippedMemberIds: ['ghost-1', 'ghost-2'],
      skippedMemberCount: 140,
    });
    const failed = entry({
      at: minutes(2),
      method: 'PATCH',
      path: '/scim/v2/Users/u-1',
      resourceId: 'u-1',
      status: 400,
      scimType: 'invalidPath',
      detail: 'quotes "input" and a NUL-free \u00e9 accent',
    });
    await store.insert([created, failed]);

    const entries = await all({ tenantId: 'acme' });
    expect(entries).toEqual([
      expect.objectContaining({ ...failed, at: minutes(2).toISOString(), eventIds: [] }),
      expect.objectContaining({ ...created, at: minutes(1).toISOString(), eventIds }),
    ]);
    expect(entries[0].id).toMatch(/^\d+$/);
  });

  it('filters by status, status class, resource, time range, dry run, and keeps tenants apart', async () => {
    await store.insert([
      entry({ at: minutes(1), status: 201, method: 'POST', resourceId: 'u-1' }),
      entry({ at: minutes(2), status: 404, path: '/scim/v2/Users/u-2', resourceId: 'u-2' }),
      entry({ at: minutes(3), status: 409, resourceId: 'u-1', scimType: 'uniqueness' }),
      entry({ at: minutes(4), status: 200, resourceType: 'Group', resourceId: 'g-1', dryRun: true }),
      entry({ at: minutes(5), status: 503 }),
      entry({ at: minutes(3), tenantId: 'other', status: 404, resourceId: 'u-2' }),
      entry({ at: minutes(3), tenantId: null, tokenId: null, status: 401, resourceType: 'User' }),
    ]);
    const statuses = (entries: { status: number }[]) => entries.map((found) => found.status);

    expect(statuses(await all({ tenantId: 'acme' }))).toEqual([503, 200, 409, 404, 201]);
    expect(statuses(await all({ tenantId: 'acme', status: { from: 404, to: 404 } }))).toEqual([404]);
    expect(statuses(await all({ tenantId: 'acme', status: { from: 400, to: 499 } }))).toEqual([409, 404]);
    expect(statuses(await all({ tenantId: 'acme', resourceType: 'User', resourceId: 'u-1' }))).toEqual([409, 201]);
    expect(statuses(await all({ tenantId: 'acme', resourceType: 'Group' }))).toEqual([200]);
    expect(statuses(await all({ tenantId: 'acme', since: minutes(2), until: minutes(4) }))).toEqual([409, 404]);
    expect(statuses(await all({ tenantId: 'acme', dryRun: true }))).toEqual([200]);
    expect(statuses(await all({ tenantId: 'other' }))).toEqual([404]);
    expect(statuses(await all({ tenantId: null }))).toEqual([401]);
  });

  it('pages newest first with a cursor, without skipping or repeating entries that share a time', async () => {
    // 7 entries, several in the same millisecond: the page edge falls inside a tie.
    await store.insert([0, 1, 1, 1, 1, 2, 3].map((minute, index) => entry({ at: minutes(minute), resourceId: `u-${index}` })));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { limit, after, filter } = parseProvisioningLogQuery({ limit: '3', ...(cursor ? { cursor } : {}) });
      const page = await store.query({ ...filter, tenantId: 'acme' }, limit, after);
      seen.push(...page.entries.map((found) => found.resourceId!));
      cursor = page.next ? encodeCursor(page.next) : undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['u-6', 'u-5', 'u-4', 'u-3', 'u-2', 'u-1', 'u-0']);
  });

  it('the recorder writes batches through the store and flushes what it holds', async () => {
    const recorder = new ProvisioningLogRecorder(store, { flushIntervalMs: 60_000, batchSize: 50, maxBuffered: 1000 });
    for (let index = 0; index < 120; index++) recorder.record(entry({ resourceId: `r-${index}` }));
    await recorder.onApplicationShutdown();
    expect((await store.query({ tenantId: 'acme' }, 1000)).entries).toHaveLength(120);
    expect(recorder.dropped).toBe(0);
  });

  it('retention deletes entries older than the configured days, in batches, and nothing newer', async () => {
    const now = new Date('2026-03-31T00:00:00.000Z');
    const daysAgo = (days: number, resourceId = 'old') => entry({ at: new Date(now.getTime() - days * 86_400_000), resourceId });
    // Oldest first, as gateways insert them; a recent entry among them (another gateway's clock, a late flush)
    // does not stop retention, and an old one that waited in a buffer behind recent ones goes too.
    const old = Array.from({ length: RETENTION_BATCH_SIZE + 7 }, (_, index) => (index === 3 ? daysAgo(1, 'recent') : daysAgo(31 + index / 100_000)));
    for (let start = 0; start < old.length; start += 1000) await store.insert(old.slice(start, start + 1000));
    await store.insert([daysAgo(29, 'kept'), daysAgo(40, 'late'), daysAgo(1, 'newest')]);

    const retention = new ProvisioningLogRetention(store, { provisioningLogRetentionDays: 30 });
    expect(await retention.run(now)).toBe(RETENTION_BATCH_SIZE + 6 + 1);
    const left = await all({ tenantId: 'acme' });
    expect(left.map((found) => found.resourceId)).toEqual(['newest', 'recent', 'kept']);
    expect(await retention.run(now)).toBe(0);
  });
});
