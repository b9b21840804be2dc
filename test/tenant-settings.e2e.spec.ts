import { randomUUID } from 'node:crypto';
import { streamNames } from '#domain/stream-names.js';
import { TenantSettings } from '../apps/gateway/src/tenancy/tenant-settings.js';
import { TenantSettingsService } from '../apps/gateway/src/tenancy/tenant-settings.service.js';
import { SchemaRegistries } from '../apps/gateway/src/schemas/schema-registries.js';
import type { ExternalIdReservations } from '../apps/gateway/src/external-id-reservations.js';
import { adminCallContext } from '../apps/gateway/src/admin/admin-call-context.js';
import type { AdminRequest } from '../apps/gateway/src/admin/admin-token.guard.js';
import { runAdminCli } from '../apps/admin/src/admin.main.js';
import type { CommandOutput } from '../apps/admin/src/admin-command.js';
import { CORE_USER, ENTERPRISE_USER, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from './support/test-gateway.js';
import { createTestTenant, type TestTenant } from './support/test-tenant.js';

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const json = (response: { text: string }) => JSON.parse(response.text);

interface SchemaAttribute {
  name: string;
  type: string;
  multiValued: boolean;
  mutability: string;
  uniqueness: string;
  subAttributes?: SchemaAttribute[];
}

/**
 * docs/admin.md "Tenant settings" and docs/decisions.md "Uniqueness comes from the schema": what /Schemas says is
 * unique is what the write side refuses a second time, per tenant, and turning externalId uniqueness on or off
 * moves the reservations with events.
 */
describe.each(backends())('tenant settings and uniqueness on %s', (_name, env) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway(env);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const settingsOf = (tenant: TestTenant) => gateway.admin('get', `/admin/v1/tenants/${tenant.id}/settings`);
  const changeSettings = (tenant: TestTenant, body: unknown) => gateway.admin('patch', `/admin/v1/tenants/${tenant.id}/settings`, body);
  const createUser = async (tenant: TestTenant, userName: string, externalId?: string) =>
    tenant.scim('post', '/scim/v2/Users', { schemas: [CORE_USER], userName, ...(externalId !== undefined ? { externalId } : {}) });
  const createGroup = async (tenant: TestTenant, displayName: string, externalId?: string) =>
    tenant.scim('post', '/scim/v2/Groups', { schemas: [CORE_GROUP], displayName, ...(externalId !== undefined ? { externalId } : {}) });
  const externalIdUniqueness = async (tenant: TestTenant, schemaId: string) => {
    const schema = json(await tenant.scim('get', `/scim/v2/Schemas/${schemaId}`));
    return (schema.attributes as SchemaAttribute[]).find((attribute) => attribute.name === 'externalId')?.uniqueness;
  };
  const reservationEvents = async (tenant: TestTenant, kind: 'userExternalId' | 'groupExternalId', key: string) =>
    gateway.runtime.eventStore.readStream(streamNames.uniqueKey(tenant.id, kind, key));

  it('a new tenant has the deployment defaults: externalId not unique (RFC 7643 §3.1), unknown members skipped', async () => {
    const tenant = await createTestTenant(gateway, 'defaults');
    const settings = await settingsOf(tenant);
    expect(settings.status).toBe(200);
    expect(json(settings)).toEqual({ tenantId: tenant.id, externalIdUniqueness: 'none', unknownGroupMembers: 'skip' });
    expect(await externalIdUniqueness(tenant, CORE_USER)).toBe('none');
    expect(await externalIdUniqueness(tenant, CORE_GROUP)).toBe('none');
    // Microsoft's SCIM reference collection creates several resources with one externalId.
    expect((await createUser(tenant, 'first@contoso.com', 'shared-ext')).status).toBe(201);
    expect((await createUser(tenant, 'second@contoso.com', 'shared-ext')).status).toBe(201);
    expect((await createGroup(tenant, 'First', 'shared-ext')).status).toBe(201);
    expect((await createGroup(tenant, 'Second', 'shared-ext')).status).toBe(201);
  });

  it('changes the unknown-member policy, and refuses bad values, unknown fields and unknown tenants', async () => {
    const tenant = await createTestTenant(gateway, 'policy');
    const changed = await changeSettings(tenant, { unknownGroupMembers: 'reject' });
    expect(changed.status).toBe(200);
    expect(json(changed)).toEqual({ tenantId: tenant.id, externalIdUniqueness: 'none', unknownGroupMembers: 'reject' });
    expect(json(await settingsOf(tenant))).toMatchObject({ unknownGroupMembers: 'reject' });
    expect(gateway.app.get(TenantSettings).forTenant(tenant.id).unknownGroupMembers).toBe('reject');

    const bad = await changeSettings(tenant, { externalIdUniqueness: 'global' });
    expect(bad.status).toBe(400);
    expect(json(bad)).toMatchObject({ scimType: 'invalidValue', detail: '"externalIdUniqueness" must be one of "none", "server"; got "global"' });
    const badPolicy = await changeSettings(tenant, { unknownGroupMembers: 'ignore' });
    expect(json(badPolicy)).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining('"unknownGroupMembers" must be one of "skip", "reject"') });
    const misspelt = await changeSettings(tenant, { externalIdUnique: 'server' });
    expect(json(misspelt)).toMatchObject({ status: '400', detail: expect.stringContaining('"externalIdUnique"') });
    expect((await gateway.admin('get', '/admin/v1/tenants/no-such-tenant/settings')).status).toBe(404);
    expect((await gateway.admin('patch', '/admin/v1/tenants/no-such-tenant/settings', { unknownGroupMembers: 'skip' })).status).toBe(404);
    expect(json(await settingsOf(tenant))).toEqual({ tenantId: tenant.id, externalIdUniqueness: 'none', unknownGroupMembers: 'reject' });
  });

  it('the CLI shows and changes the settings over the same API (npm run admin -- tenants settings | set)', async () => {
    const tenant = await createTestTenant(gateway, 'cli');
    const baseUrl = await gateway.listen();
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      const output: CommandOutput = { out: (text) => lines.push(text), write: () => undefined };
      const code = await runAdminCli(argv, { ADMIN_URL: baseUrl, ADMIN_TOKEN: TEST_ADMIN_TOKEN }, output);
      return { code, text: lines.join('\n') };
    };
    expect(await cli('tenants', 'settings', tenant.id)).toEqual({ code: 0, text: expect.stringMatching(/externalId uniqueness\s+none\nunknown group members\s+skip/) });
    const changed = await cli('tenants', 'set', tenant.id, '--unknown-group-members', 'reject', '--json');
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.text)).toEqual({ tenantId: tenant.id, externalIdUniqueness: 'none', unknownGroupMembers: 'reject' });
    expect(await cli('tenants', 'set', tenant.id, '--external-id-uniqueness', 'maybe')).toEqual({
      code: 1,
      text: 'refused (400): "externalIdUniqueness" must be one of "none", "server"; got "maybe"',
    });
    expect((await cli('tenants', 'set', tenant.id)).code).toBe(2);
    expect(json(await settingsOf(tenant))).toMatchObject({ unknownGroupMembers: 'reject', externalIdUniqueness: 'none' });
  });

  it('refuses to turn externalId uniqueness on while resources share one, listing them; nothing changes', async () => {
    const tenant = await createTestTenant(gateway, 'dupes');
    const ids = [];
    for (const userName of ['a@contoso.com', 'b@contoso.com']) ids.push(json(await createUser(tenant, userName, 'twice')).id as string);
    const groupIds = [json(await createGroup(tenant, 'G1', 'g-twice')).id, json(await createGroup(tenant, 'G2', 'g-twice')).id] as string[];
    expect((await createUser(tenant, 'c@contoso.com', 'once')).status).toBe(201);

    const refused = await changeSettings(tenant, { externalIdUniqueness: 'server', unknownGroupMembers: 'reject' });
    expect(refused.status).toBe(409);
    const error = json(refused);
    expect(error).toMatchObject({ scimType: 'uniqueness', detail: expect.stringContaining('4 resources share 2 externalIds') });
    for (const id of [...ids, ...groupIds]) expect(error.detail).toContain(id);
    expect(error.detail).toContain('User externalId "twice"');
    // The whole request is refused: the other setting it named did not change either.
    expect(json(await settingsOf(tenant))).toEqual({ tenantId: tenant.id, externalIdUniqueness: 'none', unknownGroupMembers: 'skip' });
    expect(await reservationEvents(tenant, 'userExternalId', 'once')).toEqual([]);
  });

  it('lists at most the first 100 conflicting resource ids, with the totals', async () => {
    const tenant = await createTestTenant(gateway, 'many-dupes');
    for (let pair = 0; pair < 60; pair += 10) {
      const creates = Array.from({ length: 10 }, (_, k) => [0, 1].map((copy) => createUser(tenant, `u${pair + k}-${copy}@contoso.com`, `shared-${String(pair + k).padStart(2, '0')}`)));
      for (const response of await Promise.all(creates.flat())) expect(response.status).toBe(201);
    }
    const refused = await changeSettings(tenant, { externalIdUniqueness: 'server' });
    expect(refused.status).toBe(409);
    const detail: string = json(refused).detail;
    expect(detail).toContain('120 resources share 60 externalIds (the first 100 listed)');
    expect(detail.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)).toHaveLength(100);
    expect(detail).toContain('"shared-49"');
    expect(detail).not.toContain('"shared-50"');
  });

  it('turning it on reserves every existing externalId (events name the admin token), /Schemas says server, a duplicate is 409; off releases them', async () => {
    const tenant = await createTestTenant(gateway, 'turn-on');
    const ann = json(await createUser(tenant, 'ann@contoso.com', 'ext-Ann'));
    json(await createUser(tenant, 'bob@contoso.com', 'ext-bob'));
    await createUser(tenant, 'no-external-id@contoso.com');
    const group = json(await createGroup(tenant, 'Sales', 'ext-sales'));

    const on = await changeSettings(tenant, { externalIdUniqueness: 'server' });
    expect(on.status).toBe(200);
    expect(json(on)).toEqual({
      tenantId: tenant.id,
      externalIdUniqueness: 'server',
      unknownGroupMembers: 'skip',
      externalIdReservations: { reserved: 3, released: 0 },
    });
    const [reserved] = await reservationEvents(tenant, 'userExternalId', 'ext-Ann');
    expect(reserved).toMatchObject({ type: 'UniqueKeyReserved', data: { ownerId: ann.id, key: 'ext-Ann' }, metadata: { tokenId: expect.stringMatching(/^admin:/) } });
    expect(await externalIdUniqueness(tenant, CORE_USER)).toBe('server');
    expect(await externalIdUniqueness(tenant, CORE_GROUP)).toBe('server');

    const duplicate = await createUser(tenant, 'ann2@contoso.com', 'ext-Ann');
    expect(duplicate.status).toBe(409);
    expect(json(duplicate)).toMatchObject({ scimType: 'uniqueness', detail: expect.stringContaining('externalId "ext-Ann"') });
    // externalId is caseExact (RFC 7643 §3.1): another case is another value.
    expect((await createUser(tenant, 'ann3@contoso.com', 'EXT-ANN')).status).toBe(201);
    expect((await createGroup(tenant, 'Sales 2', 'ext-sales')).status).toBe(409);
    // A new write reserves its own: the 409 after it proves it.
    expect((await createUser(tenant, 'carol@contoso.com', 'ext-carol')).status).toBe(201);
    expect((await createUser(tenant, 'carol2@contoso.com', 'ext-carol')).status).toBe(409);

    const off = await changeSettings(tenant, { externalIdUniqueness: 'none' });
    expect(off.status).toBe(200);
    // ext-Ann, ext-bob, EXT-ANN, ext-carol (users) and ext-sales (group).
    expect(json(off)).toMatchObject({ externalIdUniqueness: 'none', externalIdReservations: { reserved: 0, released: 5 } });
    const history = await reservationEvents(tenant, 'groupExternalId', 'ext-sales');
    expect(history.map((event) => event.type)).toEqual(['UniqueKeyReserved', 'UniqueKeyReleased']);
    expect(history[1]).toMatchObject({ data: { ownerId: group.id }, metadata: { tokenId: expect.stringMatching(/^admin:/) } });
    expect(await externalIdUniqueness(tenant, CORE_USER)).toBe('none');
    expect((await createUser(tenant, 'ann4@contoso.com', 'ext-Ann')).status).toBe(201);
  });

  it('a reservation left by a resource that changed its externalId, or was deleted, does not block turning it on', async () => {
    const tenant = await createTestTenant(gateway, 'stale');
    const moved = json(await createUser(tenant, 'moved@contoso.com', 'ext-moved-later'));
    const goneId = randomUUID();
    // Reservations a race could leave behind while uniqueness is off: one owned by a user that has another
    // externalId by now, one by a user that does not exist.
    for (const [key, ownerId] of [['ext-taken', moved.id], ['ext-orphan', goneId]]) {
      await gateway.runtime.eventStore.appendToStream({
        streamName: streamNames.uniqueKey(tenant.id, 'userExternalId', key),
        expectedRevision: 'no-stream',
        events: [{ id: randomUUID(), type: 'UniqueKeyReserved', schemaVersion: 1, data: { kind: 'userExternalId', key, ownerId, at: new Date().toISOString() }, metadata: testMetadata(tenant.id) }],
      });
    }
    const holder = json(await createUser(tenant, 'holder@contoso.com', 'ext-taken'));

    const on = await changeSettings(tenant, { externalIdUniqueness: 'server' });
    expect(on.status).toBe(200);
    expect(json(on).externalIdReservations).toEqual({ reserved: 2, released: 2 });
    const taken = await reservationEvents(tenant, 'userExternalId', 'ext-taken');
    expect(taken.map((event) => [event.type, (event.data as { ownerId: string }).ownerId])).toEqual([
      ['UniqueKeyReserved', moved.id],
      ['UniqueKeyReleased', moved.id],
      ['UniqueKeyReserved', holder.id],
    ]);
    expect((await createUser(tenant, 'orphan@contoso.com', 'ext-orphan')).status).toBe(201);
    expect((await createUser(tenant, 'copy@contoso.com', 'ext-taken')).status).toBe(409);
  });

  it('a duplicate that slips in while turning it on rolls the setting back and lists it', async () => {
    const tenant = await createTestTenant(gateway, 'rollback');
    const registries = gateway.app.get(SchemaRegistries);
    let released = 0;
    const slipped = {
      duplicates: async () => ({ listed: [], externalIds: 0, resources: 0 }),
      reserveAll: async () => {
        // As a write in another process would see it while the turn-on runs.
        expect(registries.forTenant(tenant.id).externalIdUniqueness).toBe('server');
        return { reserved: 1, released: 0, conflicts: { listed: [{ resourceType: 'User' as const, externalId: 'x', ids: ['u1', 'u2'] }], externalIds: 1, resources: 2 } };
      },
      releaseAll: async () => ++released,
    } as unknown as ExternalIdReservations;
    const service = new TenantSettingsService(gateway.runtime.dataSource, registries, gateway.app.get(TenantSettings), slipped, 0);
    const request = { adminTokenId: 'test', header: () => undefined } as unknown as AdminRequest;
    await expect(service.update(adminCallContext(request, tenant.id, new Date()), { externalIdUniqueness: 'server' })).rejects.toMatchObject({
      status: 409,
      scimType: 'uniqueness',
      detail: expect.stringContaining('User externalId "x": u1, u2'),
    });
    expect(released).toBe(1);
    expect(json(await settingsOf(tenant))).toMatchObject({ externalIdUniqueness: 'none' });
    expect(registries.forTenant(tenant.id).externalIdUniqueness).toBe('none');
  });

  /**
   * The "done when": /Schemas states every uniqueness the write side enforces. For every simple string
   * attribute a client can write, of every schema /Schemas serves for User and Group, a second resource with the
   * same value gets 409 exactly when /Schemas says `uniqueness: server`, and 201 when it says `none`.
   */
  describe.each([['none'], ['server']])('/Schemas and the write side agree (externalId uniqueness %s)', (setting) => {
    let tenant: TestTenant;
    beforeAll(async () => {
      tenant = await createTestTenant(gateway, `agree-${setting}`);
      if (setting === 'server') expect((await changeSettings(tenant, { externalIdUniqueness: 'server' })).status).toBe(200);
    });

    it.each([
      ['User', [CORE_USER, ENTERPRISE_USER]],
      ['Group', [CORE_GROUP]],
    ])('%s', async (resourceType, schemaIds) => {
      let serial = 0;
      const checked: [string, string, number][] = [];
      for (const schemaId of schemaIds) {
        const schema = json(await tenant.scim('get', `/scim/v2/Schemas/${schemaId}`));
        for (const attribute of schema.attributes as SchemaAttribute[]) {
          // The write side reserves top-level values only: no sub-attribute may claim uniqueness.
          for (const sub of attribute.subAttributes ?? []) expect([attribute.name, sub.name, sub.uniqueness]).toEqual([attribute.name, sub.name, 'none']);
          if (attribute.type !== 'string' || attribute.multiValued || !['readWrite', 'immutable'].includes(attribute.mutability)) continue;
          const value = `Shared-${attribute.name}-${setting}`;
          const body = () => {
            serial += 1;
            const own = resourceType === 'User' ? { userName: `user-${serial}@contoso.com` } : { displayName: `group-${serial}` };
            const shared = schemaId === CORE_USER || schemaId === CORE_GROUP ? { [attribute.name]: value } : { [schemaId]: { [attribute.name]: value } };
            return { schemas: schemaIds, ...own, ...shared };
          };
          const path = resourceType === 'User' ? '/scim/v2/Users' : '/scim/v2/Groups';
          expect((await tenant.scim('post', path, body())).status).toBe(201);
          const second = await tenant.scim('post', path, body());
          checked.push([attribute.name, attribute.uniqueness, second.status]);
          expect([attribute.name, second.status]).toEqual([attribute.name, attribute.uniqueness === 'server' ? 409 : 201]);
        }
      }
      const unique = checked.filter(([, uniqueness]) => uniqueness === 'server').map(([name]) => name).sort();
      const expected = resourceType === 'User' ? ['userName'] : ['displayName'];
      expect(unique).toEqual((setting === 'server' ? [...expected, 'externalId'] : expected).sort());
    });
  });
});

function testMetadata(tenantId: string) {
  return { tenantId, tokenId: null, requestId: null, correlationId: null, sourceIp: null, userAgent: 'test', occurredAt: new Date().toISOString() };
}

function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['embedded PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}

// Two gateway processes on one PostgreSQL server: a change through one reaches the other when it re-reads the
// generation counter (every SchemaRegistries.REFRESH_MS; called here directly instead of waiting for its timer).
const databaseUrl = process.env.DATABASE_URL;
(databaseUrl ? describe : describe.skip)('tenant settings across gateway processes (PostgreSQL server)', () => {
  let first: TestGateway;
  let second: TestGateway;
  beforeAll(async () => {
    first = await startTestGateway({ DATABASE_URL: databaseUrl! });
    second = await startTestGateway({ DATABASE_URL: databaseUrl!, PROJECTIONS: 'external' });
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('another process applies a changed setting, externalId uniqueness included, once it has re-read them', async () => {
    const tenant = await createTestTenant(first, 'replicas');
    const onSecond = (path: string, body: unknown) => second.as(tenant.token, 'post', path, body);
    await second.app.get(SchemaRegistries).refresh();
    expect(second.app.get(TenantSettings).forTenant(tenant.id)).toEqual({ externalIdUniqueness: 'none', unknownGroupMembers: 'skip' });

    const on = await first.admin('patch', `/admin/v1/tenants/${tenant.id}/settings`, { externalIdUniqueness: 'server', unknownGroupMembers: 'reject' });
    expect(on.status).toBe(200);
    await second.app.get(SchemaRegistries).refresh();
    expect(second.app.get(TenantSettings).forTenant(tenant.id)).toEqual({ externalIdUniqueness: 'server', unknownGroupMembers: 'reject' });
    const body = (userName: string) => ({ schemas: [CORE_USER], userName, externalId: 'ext-replicated' });
    expect((await onSecond('/scim/v2/Users', body('one@contoso.com'))).status).toBe(201);
    expect((await tenant.scim('post', '/scim/v2/Users', body('two@contoso.com'))).status).toBe(409);
  });
});
