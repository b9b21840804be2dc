import { CORE_USER, gatewayBackends } from '../support/test-gateway.js';
import { GROUP, LIST_RESPONSE, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

/**
 * Okta's SCIM 2.0 client (OIN integrations and App Integration Wizard apps), replayed request by request.
 * Unless a step says otherwise, the shapes are those of Okta's SCIM 2.0 reference,
 * https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/ (source:
 * okta/okta-developer-docs, packages/@okta/vuepress-site/docs/reference/scim/scim-20/index.md).
 */
describe.each(gatewayBackends())("Okta's SCIM 2.0 client on %s", (_backend, env) => {
  let okta: ClientReplay;
  const userName = (name: string) => `${name}.${okta.tag}@okta.local`;

  beforeAll(async () => {
    okta = await startClientReplay('okta', env);
  });
  afterAll(async () => {
    await okta?.close();
  });

  /** Okta's "Create the User" after its userName match found nothing; the body is the documented one. */
  async function createUser(name: string): Promise<string> {
    // Okta's reference, "Determine if the User already exists": GET /Users?filter=userName eq "..."&startIndex=1&count=100.
    const match = await okta.send('get', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName(name)}"`)}&startIndex=1&count=100`);
    expect(match.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 0, Resources: [] });
    // Okta's reference, "Create the User": password, locale and an empty read-only `groups` travel in the POST.
    const created = await okta.send('post', '/scim/v2/Users', {
      schemas: [CORE_USER],
      userName: userName(name),
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName(name), type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: `00u${name}${okta.tag}`,
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(created.body).toMatchObject({ userName: userName(name), active: true, externalId: `00u${name}${okta.tag}` });
    expect(created.body).not.toHaveProperty('password');
    return created.body.id;
  }

  it('Okta imports users and groups page by page with startIndex=1&count=100, as its Test Connection and import do', async () => {
    // Okta's reference, "Retrieve Users" and "Retrieve Groups".
    for (const resource of ['Users', 'Groups']) {
      const page = await okta.send('get', `/scim/v2/${resource}?startIndex=1&count=100`);
      expect(page.body).toMatchObject({ schemas: [LIST_RESPONSE], startIndex: 1, totalResults: expect.any(Number) });
    }
  });

  it('Okta creates a user with password, locale and groups: [] in the POST, and finds it again by userName', async () => {
    const id = await createUser('create');
    const again = await okta.filter('Users', `userName eq "${userName('create')}"`);
    expect(again.body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
  });

  it('Okta updates a user with a full PUT that carries id, meta and the read-only groups: [] (they are ignored)', async () => {
    const id = await createUser('put');
    // Okta's reference, "Update a specific User (PUT)": first GET /Users/{id}, then PUT the whole resource back.
    await okta.send('get', `/scim/v2/Users/${id}`);
    const updated = await okta.send('put', `/scim/v2/Users/${id}`, {
      schemas: [CORE_USER],
      id,
      userName: userName('put'),
      name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
      emails: [{ primary: true, value: userName('put'), type: 'work', display: userName('put') }],
      active: true,
      groups: [],
      meta: { resourceType: 'User' },
    });
    expect(updated.body).toMatchObject({ id, name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' }, active: true });
  });

  it('Okta deactivates with a path-less replace {"active": false} and reactivates the same way', async () => {
    const id = await createUser('deactivate');
    // Okta's reference, "Update a specific User (PATCH)"; also Metatavu/keycloak-scim-server#95 and pond/scimitar#29,
    // servers that failed on exactly this body.
    const deactivated = await okta.send('patch', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(deactivated.status === 204 || deactivated.body.active === false).toBe(true);
    expect((await okta.send('get', `/scim/v2/Users/${id}`)).body.active).toBe(false);
    await okta.send('patch', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect((await okta.send('get', `/scim/v2/Users/${id}`)).body.active).toBe(true);
    // Okta's reference, "Delete Users": Okta never DELETEs a user; deprovisioning is this deactivation. The user
    // stays readable and matchable, so a later reassignment finds it instead of creating a duplicate.
    expect((await okta.filter('Users', `userName eq "${userName('deactivate')}"`)).body.totalResults).toBe(1);
  });

  /** Okta matches a group by displayName before pushing it (okta/okta-developer-docs#3506), then POSTs it. */
  async function pushGroup(displayName: string, members: { value: string; display: string }[]): Promise<string> {
    expect((await okta.filter('Groups', `displayName eq "${displayName}"`)).body.totalResults).toBe(0);
    // Okta's reference, "Create Groups", with the memberships an AIW app sends inside the body (okta-developer-docs#3853;
    // simpleidserver/SimpleIdServer#247 logs Okta's POST and PUT group bodies).
    const created = await okta.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName, members });
    expect(created.body).toMatchObject({ displayName });
    return created.body.id;
  }

  it('Okta renames a pushed group with the path-less replace {id, displayName}: the read-only id is ignored', async () => {
    const displayName = `Renamed ${okta.tag}`;
    const groupId = await pushGroup(displayName, []);
    // Okta's reference, "Update a specific Group name": a path-less replace carrying the read-only id, sent after
    // each create and with every membership update (Metatavu/keycloak-scim-server#113: a 400 here stops the push).
    const renamed = await okta.send('patch', `/scim/v2/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: `${displayName} v2` } }],
    });
    expect(renamed.status === 204 || renamed.body.displayName === `${displayName} v2`).toBe(true);
    expect((await okta.send('get', `/scim/v2/Groups/${groupId}`)).body).toMatchObject({ id: groupId, displayName: `${displayName} v2` });
  });

  it('Okta pushes a group with members in the POST body, changes them by PATCH and by a full PUT, then DELETEs it', async () => {
    const ann = await createUser('ann');
    const bob = await createUser('bob');
    const displayName = `Test SCIMv2 ${okta.tag}`;
    const groupId = await pushGroup(displayName, [{ value: ann, display: userName('ann') }]);
    expect(await okta.memberIds(groupId)).toEqual([ann]);

    // Okta's reference, "Update specific Group membership": remove by value filter and add, in one PATCH.
    await okta.send('patch', `/scim/v2/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'remove', path: `members[value eq "${ann}"]` },
        { op: 'add', path: 'members', value: [{ value: bob, display: userName('bob') }] },
      ],
    });
    expect(await okta.memberIds(groupId)).toEqual([bob]);

    // An AIW app sends the whole group with its members as a PUT (same section; okta-developer-docs#3853).
    const put = await okta.send('put', `/scim/v2/Groups/${groupId}`, {
      schemas: [GROUP],
      id: groupId,
      displayName,
      members: [
        { value: ann, display: userName('ann') },
        { value: bob, display: userName('bob') },
      ],
    });
    expect(put.body.id).toBe(groupId);
    expect(await okta.memberIds(groupId)).toEqual([ann, bob].sort());

    // The full push of the membership: replace with path "members".
    await okta.send('patch', `/scim/v2/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'members', value: [{ value: ann, display: userName('ann') }] }],
    });
    expect(await okta.memberIds(groupId)).toEqual([ann]);

    // Okta's reference, "Delete a specific Group" (Unlink pushed group, "Delete the group in the target app").
    await okta.send('delete', `/scim/v2/Groups/${groupId}`);
    await okta.send('get', `/scim/v2/Groups/${groupId}`, undefined, 404);
  });

  it("Okta's group push keeps going past a member id the gateway does not know: the known members are applied", async () => {
    // fleetdm/fleet#52600: Okta treats a 400 as permanent, so one stale or not-yet-provisioned user id in a PATCH
    // add lost the whole push; fleetdm/fleet#52593: the same stale ids inside Okta's POST and PUT group bodies.
    const ann = await createUser('known');
    const stale = '00000000-0000-4000-8000-000000000999';
    const displayName = `Stale push ${okta.tag}`;
    const groupId = await pushGroup(displayName, [{ value: stale, display: 'gone@okta.local' }]);
    expect(await okta.memberIds(groupId)).toEqual([]);
    await okta.send('patch', `/scim/v2/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ann, display: userName('known') }, { value: stale, display: 'gone@okta.local' }] }],
    });
    expect(await okta.memberIds(groupId)).toEqual([ann]);
    await okta.send('put', `/scim/v2/Groups/${groupId}`, { schemas: [GROUP], id: groupId, displayName, members: [{ value: stale }, { value: ann }] });
    expect(await okta.memberIds(groupId)).toEqual([ann]);
  });
});
