import { CORE_USER, ENTERPRISE_USER, gatewayBackends } from '../support/test-gateway.js';
import { GROUP, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

/**
 * OneLogin's "SCIM Provisioner with SAML (SCIM v2 Enterprise)", replayed. Sources:
 * - OneLogin's SCIM developer guide, https://developers.onelogin.com/scim (the SCIM v2 Enterprise app: core and
 *   enterprise user attributes; users created, updated, suspended, deleted; groups provisioned);
 * - 15five/django-scim2, src/django_scim/adapters.py: the server side of OneLogin's PATCHes (path-less `replace`
 *   with a set of attributes; group `add` and `remove` with `path: "members"` and `value: [{"value": id}]`);
 * - issue 13: OneLogin sends group PATCHes.
 */
describe.each(gatewayBackends())("OneLogin's SCIM provisioner on %s", (_backend, env) => {
  let onelogin: ClientReplay;
  const email = (name: string) => `${name}.${onelogin.tag}@onelogin.example`;

  beforeAll(async () => {
    onelogin = await startClientReplay('onelogin', env);
  });
  afterAll(async () => {
    await onelogin?.close();
  });

  async function createUser(name: string): Promise<string> {
    expect((await onelogin.filter('Users', `userName eq "${email(name)}"`)).body.totalResults).toBe(0);
    const created = await onelogin.send('post', '/scim/v2/Users', {
      schemas: [CORE_USER, ENTERPRISE_USER],
      userName: email(name),
      name: { givenName: name, familyName: 'Login' },
      emails: [{ value: email(name), type: 'work', primary: true }],
      title: 'Engineer',
      active: true,
      [ENTERPRISE_USER]: { department: 'Engineering' },
    });
    return created.body.id;
  }
  const memberPatch = (op: 'add' | 'remove', ids: string[]) => ({ schemas: [PATCH_OP], Operations: [{ op, path: 'members', value: ids.map((value) => ({ value })) }] });

  it('OneLogin creates a user, updates it with a path-less replace, suspends it and deletes it', async () => {
    const id = await createUser('life');
    await onelogin.send('patch', `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { title: 'Manager', 'name.givenName': 'Renamed', [`${ENTERPRISE_USER}:department`]: 'Sales' } }],
    });
    expect((await onelogin.send('get', `/scim/v2/Users/${id}`)).body).toMatchObject({ title: 'Manager', name: { givenName: 'Renamed' }, [ENTERPRISE_USER]: { department: 'Sales' } });
    await onelogin.send('patch', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect((await onelogin.send('get', `/scim/v2/Users/${id}`)).body.active).toBe(false);
    await onelogin.send('delete', `/scim/v2/Users/${id}`);
    await onelogin.send('get', `/scim/v2/Users/${id}`, undefined, 404);
  });

  it('OneLogin provisions a group and changes its members with group PATCHes, then deletes it', async () => {
    const ann = await createUser('ann');
    const bob = await createUser('bob');
    const groupId = (await onelogin.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `OneLogin role ${onelogin.tag}` })).body.id;
    await onelogin.send('patch', `/scim/v2/Groups/${groupId}`, memberPatch('add', [ann, bob]));
    expect(await onelogin.memberIds(groupId)).toEqual([ann, bob].sort());
    await onelogin.send('patch', `/scim/v2/Groups/${groupId}`, memberPatch('remove', [bob]));
    expect(await onelogin.memberIds(groupId)).toEqual([ann]);
    await onelogin.send('delete', `/scim/v2/Groups/${groupId}`);
    await onelogin.send('get', `/scim/v2/Groups/${groupId}`, undefined, 404);
  });
});
