import { CORE_USER, gatewayBackends } from '../support/test-gateway.js';
import { GROUP, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

/**
 * authentik's SCIM provider (outgoing sync), replayed from its client code, goauthentik/authentik:
 * - authentik/providers/scim/clients/users.py: POST /Users; update as a PUT of the whole user with `id` set; DELETE;
 * - authentik/providers/scim/clients/groups.py: POST /Groups without members (externalId = the group's pk), then one
 *   `add` operation per member (`path: "members"`, `value: [{"value": id}]`); an update as a path-less `replace`
 *   whose value is the whole group, read-only `id` and `schemas` included (`_update_patch_general`); membership
 *   differences as `add`/`remove` operations; `discover` lists /Groups page by page with startIndex; DELETE.
 */
describe.each(gatewayBackends())("authentik's SCIM provider on %s", (_backend, env) => {
  let authentik: ClientReplay;
  const username = (name: string) => `${name}-${authentik.tag}`;

  beforeAll(async () => {
    authentik = await startClientReplay('authentik', env);
  });
  afterAll(async () => {
    await authentik?.close();
  });

  /** users.py to_schema with authentik's default property mappings. */
  const user = (name: string, extra: Record<string, unknown> = {}) => ({
    schemas: [CORE_USER],
    userName: username(name),
    name: { formatted: `${name} Authentik`, givenName: name, familyName: 'Authentik' },
    displayName: `${name} Authentik`,
    active: true,
    emails: [{ value: `${username(name)}@authentik.example`, type: 'other', primary: true }],
    externalId: `ak-uid-${name}-${authentik.tag}`,
    ...extra,
  });
  const memberOps = (op: 'add' | 'remove', ids: string[]) => ids.map((value) => ({ op, path: 'members', value: [{ value }] }));

  it('authentik creates a user, updates it with a PUT carrying id, deactivates it, and deletes it', async () => {
    const id = (await authentik.send('post', '/scim/v2/Users', user('life'))).body.id;
    expect((await authentik.send('put', `/scim/v2/Users/${id}`, user('life', { id, displayName: 'Renamed' }))).body.displayName).toBe('Renamed');
    expect((await authentik.send('put', `/scim/v2/Users/${id}`, user('life', { id, active: false }))).body.active).toBe(false);
    await authentik.send('delete', `/scim/v2/Users/${id}`);
    await authentik.send('get', `/scim/v2/Users/${id}`, undefined, 404);
  });

  it('authentik sends the read-only id (and schemas) inside a path-less group replace: they are ignored, not refused', async () => {
    const groupId = (await authentik.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `ak admins ${authentik.tag}`, externalId: `ak-pk-1-${authentik.tag}` })).body.id;
    // groups.py _update_patch_general: the whole group as the value, `members` removed, `id` set.
    await authentik.send('patch', `/scim/v2/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { schemas: [GROUP], id: groupId, displayName: `ak admins v2 ${authentik.tag}`, externalId: `ak-pk-1-${authentik.tag}` } }],
    });
    expect((await authentik.send('get', `/scim/v2/Groups/${groupId}`)).body).toMatchObject({ id: groupId, displayName: `ak admins v2 ${authentik.tag}` });
  });

  it('authentik pushes a group, then its members one add operation each, syncs differences, discovers, deletes', async () => {
    const ann = (await authentik.send('post', '/scim/v2/Users', user('ann'))).body.id;
    const bob = (await authentik.send('post', '/scim/v2/Users', user('bob'))).body.id;
    const groupId = (await authentik.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `ak staff ${authentik.tag}`, externalId: `ak-pk-2-${authentik.tag}` })).body.id;
    // groups.py create -> _patch_add_users: one operation per user.
    await authentik.send('patch', `/scim/v2/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: memberOps('add', [ann, bob]) });
    expect(await authentik.memberIds(groupId)).toEqual([ann, bob].sort());
    // groups.py patch_compare_users: GET the group, then add what is missing and remove what is extra.
    await authentik.send('get', `/scim/v2/Groups/${groupId}`);
    await authentik.send('patch', `/scim/v2/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: memberOps('remove', [ann]) });
    expect(await authentik.memberIds(groupId)).toEqual([bob]);
    // groups.py discover: GET /Groups, then startIndex=seen+1 until totalResults are seen.
    const first = (await authentik.send('get', '/scim/v2/Groups')).body;
    expect(first.Resources.map((group: { id: string }) => group.id)).toContain(groupId);
    await authentik.send('delete', `/scim/v2/Groups/${groupId}`);
    await authentik.send('get', `/scim/v2/Groups/${groupId}`, undefined, 404);
  });
});
