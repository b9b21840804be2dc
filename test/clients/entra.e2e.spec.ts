import { randomUUID } from 'node:crypto';
import { CORE_USER, ENTERPRISE_USER, gatewayBackends, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { GROUP, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

/**
 * Entra ID's documented provisioning cycle (../shared/ENTRA.md), replayed over HTTP in its default form and in
 * the form of the aadOptscim062020 Tenant URL flag. Every request must succeed as Entra expects: one failed
 * request is one more step towards quarantine.
 */
describe.each(
  gatewayBackends().flatMap(([backend, env]) => [
    ['default', backend, false, env],
    ['aadOptscim062020', backend, true, env],
  ] as const),
)("Entra's provisioning cycle (%s form) on %s", (form, _backend, optscim, env) => {
  let entra: ClientReplay;
  const op = (name: 'Add' | 'Replace' | 'Remove') => (optscim ? name.toLowerCase() : name);
  const bool = (value: boolean) => (optscim ? value : value ? 'True' : 'False');
  const email = (name: string) => `${name}-${entra.tag}@contoso.com`;

  beforeAll(async () => {
    entra = await startClientReplay(`entra-${form.toLowerCase()}`, env);
  });
  afterAll(async () => {
    await entra?.close();
  });

  /** Entra's match-then-create: filter by each matching attribute in precedence order; POST when none matched. */
  async function provisionUser(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    for (const expression of [`userName eq "${email(name)}"`, `externalId eq "${name}-${entra.tag}"`]) {
      const match = await entra.filter('Users', expression);
      if (match.body.totalResults > 0) return match.body.Resources[0].id;
    }
    const created = await entra.send('post', '/scim/v2/Users', {
      schemas: [CORE_USER, ENTERPRISE_USER],
      externalId: `${name}-${entra.tag}`,
      userName: email(name),
      active: bool(true),
      emails: [{ primary: true, type: 'work', value: email(name) }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      ...extra,
    });
    return created.body.id;
  }
  const patch = (resource: 'Users' | 'Groups', id: string, operation: unknown, expected?: number) =>
    entra.send('patch', `/scim/v2/${resource}/${id}`, { schemas: [PATCH_OP], Operations: [operation] }, expected);

  it('Test Connection and saving: empty filter answer, a random user and group, the schemas', async () => {
    expect((await entra.filter('Users', `userName eq "AzureAD_Test-${randomUUID()}"`)).body).toMatchObject({ totalResults: 0, Resources: [] });
    await entra.send('get', '/scim/v2/Users?count=1');
    await entra.send('get', '/scim/v2/Groups?count=1&excludedAttributes=members');
    expect((await entra.send('get', '/scim/v2/Schemas')).body.totalResults).toBeGreaterThanOrEqual(3);
  });

  it('provisions users, their manager, groups and memberships; then an incremental cycle', async () => {
    const manager = await provisionUser('boss');
    const ann = await provisionUser('ann');
    const bob = await provisionUser('bob', {
      // Older requests carry explicit nulls, meaning "no value"; roles may be stringified JSON.
      addresses: null,
      [ENTERPRISE_USER]: { manager: null, employeeNumber: '42' },
      roles: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', value: '{"id":"r1","displayName":"Reader"}' }],
    });
    // Matching again finds the same users (no duplicates on the second cycle), also by work email and unquoted.
    expect(await provisionUser('ann')).toBe(ann);
    expect((await entra.filter('Users', `emails[type eq "work"].value eq "${email('ann').toUpperCase()}"`)).body).toMatchObject({ totalResults: 1, Resources: [{ id: ann }] });
    expect((await entra.filter('Users', `externalId eq bob-${entra.tag}`)).body).toMatchObject({ totalResults: 1, Resources: [{ id: bob }] });
    expect((await entra.filter('Users', `emails[Type eq "work"].Value eq "${email('bob')}"`)).body).toMatchObject({ totalResults: 1 });

    // The manager comes in a later PATCH.
    const managerPatch = optscim
      ? { op: 'replace', path: `${ENTERPRISE_USER}:manager`, value: manager }
      : { op: 'Add', path: 'manager', value: [{ $ref: `../Users/${manager}`, value: manager }] };
    expect((await patch('Users', ann, managerPatch, 200)).body[ENTERPRISE_USER].manager.value).toBe(manager);

    // Groups: match by displayName without members, POST with an empty member list, PATCH to add (204 recommended).
    const displayName = `Sales ${entra.tag}`;
    expect((await entra.filter('Groups', `displayName eq "${displayName}"`, 'excludedAttributes=members&')).body.totalResults).toBe(0);
    const groupId = (
      await entra.send('post', '/scim/v2/Groups', { schemas: [GROUP, ADSCIM_GROUP], externalId: randomUUID(), displayName, meta: { resourceType: 'Group' } })
    ).body.id;
    const add = optscim
      ? { op: 'add', value: { members: [{ value: ann }, { value: bob }] } }
      : { op: 'Add', path: 'members', value: [{ $ref: null, value: ann }, { $ref: null, value: bob }] };
    await patch('Groups', groupId, add, 204);

    // Incremental cycle: GET by id, PATCH the differences (a user PATCH answers 200 with the user).
    await entra.send('get', `/scim/v2/Users/${bob}`);
    const update = optscim
      ? { op: 'replace', value: { displayName: 'Bob B', 'name.givenName': 'Bob', [`${ENTERPRISE_USER}:employeeNumber`]: '43' } }
      : { op: 'Replace', path: 'emails[type eq "work"].value', value: email('robert') };
    await patch('Users', bob, update, 200);

    // Removal from the group, in each form.
    const remove = optscim ? { op: 'remove', path: `members[value eq "${bob}"]` } : { op: 'Remove', path: 'members', value: [{ value: bob }] };
    await patch('Groups', groupId, remove, 204);
    expect(await entra.memberIds(groupId)).toEqual([ann]);

    // Unassigned: PATCH active=false; the user stays readable and matchable.
    await patch('Users', ann, { op: op('Replace'), path: 'active', value: bool(false) }, 200);
    expect((await entra.send('get', `/scim/v2/Users/${ann}`)).body.active).toBe(false);
    expect((await entra.filter('Users', `userName eq "${email('ann')}"`)).body.totalResults).toBe(1);

    // Hard-deleted after the recycle bin: DELETE, and it leaves its group.
    await entra.send('delete', `/scim/v2/Users/${ann}`);
    await entra.send('get', `/scim/v2/Users/${ann}`, undefined, 404);
    expect(await entra.memberIds(groupId)).toEqual([]);
  });

  it('accepts a POST with a string boolean and a bare-string manager', async () => {
    const boss = await provisionUser('boss2');
    const created = await entra.send('post', '/scim/v2/Users', { schemas: [CORE_USER], userName: email('stringy'), active: 'True', [`${ENTERPRISE_USER}:manager`]: boss });
    expect(created.body).toMatchObject({ active: true, [ENTERPRISE_USER]: { manager: { value: boss } } });
  });
});

/**
 * Microsoft's own SCIM conformance collection, AzureAD/SCIMReferenceCode `PostmanCollection.json`, "Group tests with
 * garbage": a group member added as a bare string, `"value": "string id 1"`, an id no user has.
 */
describe.each(gatewayBackends())("Microsoft's SCIM reference collection on %s", (_backend, env) => {
  let microsoft: ClientReplay;
  beforeAll(async () => {
    microsoft = await startClientReplay('microsoft', env);
  });
  afterAll(async () => {
    await microsoft?.close();
  });

  it("Microsoft's collection adds group members given as bare strings: a known id is added, an unknown one skipped", async () => {
    const user = (await microsoft.send('post', '/scim/v2/Users', { schemas: [CORE_USER], userName: `bare-${microsoft.tag}@contoso.com` })).body.id;
    const groupId = (await microsoft.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `Bare ${microsoft.tag}`, members: [user] })).body.id;
    expect(await microsoft.memberIds(groupId)).toEqual([user]);
    await microsoft.send('patch', `/scim/v2/Groups/${groupId}`, { id: groupId, Operations: [{ op: 'add', path: 'members', value: 'string id 1' }], schemas: [PATCH_OP] });
    await microsoft.send('patch', `/scim/v2/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value: [user] }] });
    expect(await microsoft.memberIds(groupId)).toEqual([]);
  });
});

describe('provisioning at scale: 1,000 users and 50 groups of 20, as Entra would', () => {
  let gateway: TestGateway;
  const json = (response: { text: string }) => JSON.parse(response.text);
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('ends with exactly the expected users, groups and memberships in the read model', async () => {
    const userIds: string[] = [];
    const users = Array.from({ length: 1000 }, (_, i) => `scale-${i}@contoso.com`);
    // Eight connections at a time, as a provisioning job would.
    await runConcurrently(users, 8, async (userName) => {
      const match = json(await gateway.scim('get', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`));
      expect(match.totalResults).toBe(0);
      const created = await gateway.scim('post', '/scim/v2/Users', { schemas: [CORE_USER], userName, externalId: `x-${userName}`, active: true });
      expect(created.status).toBe(201);
      userIds[users.indexOf(userName)] = json(created).id;
    });
    const groups = Array.from({ length: 50 }, (_, g) => ({ name: `scale-group-${g}`, members: userIds.slice(g * 20, g * 20 + 20) }));
    const groupIds = new Map<string, string>();
    await runConcurrently(groups, 8, async ({ name, members }) => {
      const created = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: name });
      expect(created.status).toBe(201);
      const id = json(created).id;
      groupIds.set(name, id);
      const patched = await gateway.scim('patch', `/scim/v2/Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: members.map((value) => ({ value })) }],
      });
      expect(patched.status).toBe(204);
    });

    const allUsers = json(await gateway.scim('get', `/scim/v2/Users?count=0&filter=${encodeURIComponent('userName sw "scale-"')}`));
    expect(allUsers.totalResults).toBe(1000);
    const allGroups = json(await gateway.scim('get', `/scim/v2/Groups?count=1000&filter=${encodeURIComponent('displayName sw "scale-group-"')}`));
    expect(allGroups.totalResults).toBe(50);
    for (const group of allGroups.Resources as { id: string; displayName: string; members: { value: string }[] }[]) {
      const expected = groups.find((g) => g.name === group.displayName)!.members;
      expect(group.members.map((m) => m.value).sort()).toEqual([...expected].sort());
      expect(group.id).toBe(groupIds.get(group.displayName));
    }
  }, 300_000);
});

async function runConcurrently<Item>(items: readonly Item[], concurrency: number, work: (item: Item) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
