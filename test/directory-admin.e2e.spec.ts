import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestTenant, type TestTenant } from './support/test-tenant.js';
import { entraUser, gatewayBackends, startTestGateway, TEST_TOKEN, type TestGateway } from './support/test-gateway.js';
import { seedLargeGroup } from './support/large-group.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const BADGE = 'urn:example:params:scim:schemas:extension:badge:2.0:User';

/** The admin API's directory (docs/admin.md "Directory"): a tenant's users and groups, read-only, paged. */
describe.each(gatewayBackends())('admin directory routes on %s', (_backend, env) => {
  let gateway: TestGateway;
  let tenant: TestTenant;
  let directory: string;
  const users: Record<string, string> = {};
  let team: string;
  let outer: string;

  beforeAll(async () => {
    gateway = await startTestGateway(env);
    tenant = await createTestTenant(gateway, 'directory');
    directory = `/admin/v1/tenants/${tenant.id}/directory`;
    await gateway
      .admin('put', `/admin/v1/tenants/${tenant.id}/schemas`, {
        resourceType: 'User',
        required: false,
        schema: { id: BADGE, name: 'Badge', attributes: [{ name: 'badgeNumber', type: 'string', caseExact: true }] },
      })
      .expect(200);
    for (const name of ['ann', 'bob', 'cid']) {
      const body = { ...entraUser(`${name}@contoso.com`), ...(name === 'bob' ? { schemas: [...(entraUser('x').schemas as string[]), BADGE], [BADGE]: { badgeNumber: 'B-7' } } : {}) };
      const created = await tenant.scim('post', '/scim/v2/Users', body);
      expect(created.status).toBe(201);
      users[name] = JSON.parse(created.text).id;
    }
    const createGroup = async (displayName: string, members: string[]) => {
      const created = await tenant.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) });
      expect(created.status).toBe(201);
      return JSON.parse(created.text).id as string;
    };
    team = await createGroup('Team', [users.ann, users.bob]);
    outer = await createGroup('Everyone', [team, users.cid]);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('lists users as SCIM does: filter, paging, the SCIM representation', async () => {
    const all = (await gateway.admin('get', `${directory}/Users`).expect(200)).body;
    expect(all).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 3, startIndex: 1, itemsPerPage: 3 });
    expect(all.Resources.map((user: { userName: string }) => user.userName)).toEqual(['ann@contoso.com', 'bob@contoso.com', 'cid@contoso.com']);
    expect(all.Resources[0]).toMatchObject({ id: users.ann, active: true, meta: { resourceType: 'User', location: expect.stringContaining(`/scim/v2/Users/${users.ann}`) } });

    const filtered = (await gateway.admin('get', `${directory}/Users`).query({ filter: 'userName eq "BOB@contoso.com"' }).expect(200)).body;
    expect(filtered.Resources.map((user: { id: string }) => user.id)).toEqual([users.bob]);
    // A filter on the tenant's own extension attribute: the tenant's schemas are the ones used.
    const byBadge = (await gateway.admin('get', `${directory}/Users`).query({ filter: `${BADGE}:badgeNumber eq "B-7"` }).expect(200)).body;
    expect(byBadge.Resources.map((user: { id: string }) => user.id)).toEqual([users.bob]);

    // The examples of docs/console.md "Directory".
    const examples: [string, string[]][] = [
      ['userName sw "a"', [users.ann]],
      ['active eq false', []],
      ['emails[type eq "work" and value co "@contoso"]', [users.ann, users.bob, users.cid]],
      ['name.familyName eq "Lee" or title pr', []],
    ];
    for (const [filter, expected] of examples) {
      const answer = (await gateway.admin('get', `${directory}/Users`).query({ filter }).expect(200)).body;
      expect(answer.Resources.map((user: { id: string }) => user.id)).toEqual(expected);
    }
    const groupExample = (await gateway.admin('get', `${directory}/Groups`).query({ filter: 'displayName sw "Sales"' }).expect(200)).body;
    expect(groupExample.totalResults).toBe(0);

    const second = (await gateway.admin('get', `${directory}/Users`).query({ startIndex: 2, count: 1 }).expect(200)).body;
    expect(second).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1, Resources: [{ id: users.bob }] });
  });

  it('refuses a bad filter as the SCIM API does: 400 invalidFilter with the parser\'s detail', async () => {
    for (const filter of ['userName eq', 'userName xx "a"', 'nosuchAttribute eq "a"']) {
      const refused = await gateway.admin('get', `${directory}/Users`).query({ filter }).expect(400);
      expect(refused.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
      const scim = await tenant.scim('get', '/scim/v2/Users').query({ filter });
      expect(refused.body.detail).toBe(scim.body.detail ?? JSON.parse(scim.text).detail);
    }
    const notANumber = await gateway.admin('get', `${directory}/Groups/${team}/members`).query({ count: 'ten' }).expect(400);
    expect(notANumber.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('count must be an integer') });
  });

  it('shows a user with its groups, direct and indirect', async () => {
    const ann = (await gateway.admin('get', `${directory}/Users/${users.ann}`).expect(200)).body;
    expect(ann).toMatchObject({ id: users.ann, userName: 'ann@contoso.com' });
    expect(ann.groups).toEqual([
      { value: outer, $ref: expect.stringContaining(`/Groups/${outer}`), display: 'Everyone', type: 'indirect' },
      { value: team, $ref: expect.stringContaining(`/Groups/${team}`), display: 'Team', type: 'direct' },
    ]);
  });

  it('lists groups without members, with their member counts; a group with its count; its members paged in id order', async () => {
    const list = (await gateway.admin('get', `${directory}/Groups`).query({ filter: 'displayName sw "t"' }).expect(200)).body;
    expect(list).toMatchObject({ totalResults: 1, Resources: [{ id: team, displayName: 'Team' }], memberCounts: { [team]: { count: 2, capped: false } } });
    expect(list.Resources[0].members).toBeUndefined();

    const group = (await gateway.admin('get', `${directory}/Groups/${outer}`).expect(200)).body;
    expect(group).toMatchObject({ resource: { id: outer, displayName: 'Everyone', meta: { resourceType: 'Group' } }, memberCount: 2 });
    expect(group.resource.members).toBeUndefined();

    const ordered = [
      { value: team, type: 'Group', name: 'Team' },
      { value: users.cid, type: 'User', name: 'cid@contoso.com' },
    ].sort((a, b) => (a.value < b.value ? -1 : 1));
    const first = (await gateway.admin('get', `${directory}/Groups/${outer}/members`).query({ count: 1 }).expect(200)).body;
    expect(first).toMatchObject({ totalResults: 2, startIndex: 1, itemsPerPage: 1, members: [{ ...ordered[0], $ref: expect.stringContaining(ordered[0].value) }] });
    const second = (await gateway.admin('get', `${directory}/Groups/${outer}/members`).query({ startIndex: 2, count: 1 }).expect(200)).body;
    expect(second.members).toMatchObject([ordered[1]]);
    const past = (await gateway.admin('get', `${directory}/Groups/${outer}/members`).query({ startIndex: 3 }).expect(200)).body;
    expect(past).toEqual({ totalResults: 2, startIndex: 3, itemsPerPage: 0, members: [] });
  });

  it('answers 404 for an unknown tenant, user or group, and needs an admin token', async () => {
    const unknownTenant = await gateway.admin('get', '/admin/v1/tenants/no-such-tenant/directory/Users').expect(404);
    expect(unknownTenant.body.detail).toContain('no-such-tenant');
    await gateway.admin('get', '/admin/v1/tenants/no-such-tenant/directory/Groups/00000000-0000-4000-8000-000000000000/members').expect(404);
    await gateway.admin('get', `${directory}/Users/00000000-0000-4000-8000-000000000000`).expect(404);
    await gateway.admin('get', `${directory}/Users/not-a-uuid`).expect(404);
    await gateway.admin('get', `${directory}/Groups/${users.ann}`).expect(404);
    await gateway.admin('get', `${directory}/Groups/${users.ann}/members`).expect(404);
    // Another tenant's directory is not reachable through this one's id.
    await gateway.admin('get', `/admin/v1/tenants/default/directory/Users/${users.ann}`).expect(404);
    // A SCIM token is not an admin token.
    await gateway.as(TEST_TOKEN, 'get', `${directory}/Users`).expect(401);
    await gateway.as(tenant.token, 'get', `${directory}/Users`).expect(401);
  });

  it('pages a group of 100,000 members to its last page, with the count capped at 1,000 per page', async () => {
    const big = await createTestTenant(gateway, 'directory-big');
    const seeded = await seedLargeGroup(gateway, big.id, 100_000);
    try {
      const base = `/admin/v1/tenants/${big.id}/directory`;
      let started = performance.now();
      const group = (await gateway.admin('get', `${base}/Groups/${seeded.groupId}`).expect(200)).body;
      const groupMs = performance.now() - started;
      expect(group).toMatchObject({ resource: { displayName: seeded.displayName }, memberCount: 100_000 });

      started = performance.now();
      const last = (await gateway.admin('get', `${base}/Groups/${seeded.groupId}/members`).query({ startIndex: 99_951, count: 50 }).expect(200)).body;
      const lastMs = performance.now() - started;
      expect(last).toMatchObject({ totalResults: 100_000, startIndex: 99_951, itemsPerPage: 50 });
      expect(last.members[49]).toMatchObject({ value: seeded.memberIdOf(100_000), type: 'User', name: seeded.userNameOf(100_000) });

      const capped = (await gateway.admin('get', `${base}/Groups/${seeded.groupId}/members`).query({ count: 5_000 }).expect(200)).body;
      expect(capped.itemsPerPage).toBe(1_000);
      const list = (await gateway.admin('get', `${base}/Groups`).expect(200)).body;
      expect(list.memberCounts[seeded.groupId]).toEqual({ count: 1_000, capped: true });
      const user = (await gateway.admin('get', `${base}/Users`).query({ filter: `userName eq "${seeded.userNameOf(77_777)}"` }).expect(200)).body;
      expect(user.Resources[0].id).toBe(seeded.memberIdOf(77_777));
      // The console's "find a member" link: the users list filtered on the group, narrowed by name.
      started = performance.now();
      const found = (await gateway.admin('get', `${base}/Users`).query({ filter: `groups[value eq "${seeded.groupId}"] and userName sw "member-07777"`, count: 50 }).expect(200)).body;
      const findMs = performance.now() - started;
      expect(found.totalResults).toBe(10);
      expect(found.Resources[0].userName).toBe(seeded.userNameOf(77_770));
      console.info(`${_backend}: group of 100,000 members ${groupMs.toFixed(0)} ms, its last member page ${lastMs.toFixed(0)} ms, a member found by name ${findMs.toFixed(0)} ms`);
    } finally {
      await seeded.remove();
    }
  }, 300_000);
});
