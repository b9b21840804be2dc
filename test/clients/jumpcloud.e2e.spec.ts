import { CORE_USER, ENTERPRISE_USER, gatewayBackends } from '../support/test-gateway.js';
import { GROUP, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

/**
 * JumpCloud's custom SCIM 2.0 identity-management integration, replayed. Sources:
 * - JumpCloud, "Identity Management using a Custom SCIM Integration",
 *   https://jumpcloud.com/support/provision-and-manage-users-and-groups-in-apps-using-custom-scim-identity-management-integration
 *   (the connection test creates a test user and a test group and DELETEs both; users leaving are deactivated);
 * - Infisical/infisical#2138 ("make the add user to group operation idempotent ... as JumpCloud tends to make such
 *   repeat operations");
 * - https://app.uni-moni.com/en/kb/sso-setup-jumpcloud ("JC uses ... value=[{value:uid}] without an RFC filter" for
 *   group members).
 * JumpCloud publishes no user bodies; the create, update (a full PUT) and deactivation (`active: false`) below are
 * the RFC 7643 forms with the attributes its default mapping sends, not captured requests.
 */
describe.each(gatewayBackends())("JumpCloud's SCIM 2.0 client on %s", (_backend, env) => {
  let jumpcloud: ClientReplay;
  const email = (name: string) => `${name}.${jumpcloud.tag}@jumpcloud.example`;
  const membersOp = (op: 'add' | 'remove', ids: string[]) => ({ schemas: [PATCH_OP], Operations: [{ op, path: 'members', value: ids.map((value) => ({ value })) }] });

  beforeAll(async () => {
    jumpcloud = await startClientReplay('jumpcloud', env);
  });
  afterAll(async () => {
    await jumpcloud?.close();
  });

  async function createUser(name: string): Promise<string> {
    expect((await jumpcloud.filter('Users', `userName eq "${email(name)}"`)).body.totalResults).toBe(0);
    const created = await jumpcloud.send('post', '/scim/v2/Users', {
      schemas: [CORE_USER, ENTERPRISE_USER],
      userName: email(name),
      externalId: `jc-${name}-${jumpcloud.tag}`,
      name: { givenName: name, familyName: 'Cloud' },
      displayName: `${name} Cloud`,
      emails: [{ value: email(name), type: 'work', primary: true }],
      active: true,
    });
    return created.body.id;
  }

  it('JumpCloud tests the connection by creating a test user and a test group and deleting both', async () => {
    const user = await createUser('test-user');
    const group = (await jumpcloud.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `JumpCloud test group ${jumpcloud.tag}` })).body.id;
    await jumpcloud.send('delete', `/scim/v2/Groups/${group}`);
    await jumpcloud.send('delete', `/scim/v2/Users/${user}`);
    await jumpcloud.send('get', `/scim/v2/Users/${user}`, undefined, 404);
  });

  it('JumpCloud updates a user with a full PUT and deactivates it with active: false', async () => {
    const id = await createUser('update');
    const full = {
      schemas: [CORE_USER, ENTERPRISE_USER],
      userName: email('update'),
      externalId: `jc-update-${jumpcloud.tag}`,
      name: { givenName: 'Updated', familyName: 'Cloud' },
      displayName: 'Updated Cloud',
      emails: [{ value: email('update'), type: 'work', primary: true }],
      active: true,
      [ENTERPRISE_USER]: { department: 'Sales' },
    };
    expect((await jumpcloud.send('put', `/scim/v2/Users/${id}`, full)).body).toMatchObject({ displayName: 'Updated Cloud', [ENTERPRISE_USER]: { department: 'Sales' } });
    expect((await jumpcloud.send('put', `/scim/v2/Users/${id}`, { ...full, active: false })).body.active).toBe(false);
  });

  it('JumpCloud repeats member adds: adding a member twice succeeds and lists it once (RFC 7644 §3.5.2.1)', async () => {
    const ann = await createUser('ann');
    const bob = await createUser('bob');
    const groupId = (await jumpcloud.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `Engineering ${jumpcloud.tag}` })).body.id;
    await jumpcloud.send('patch', `/scim/v2/Groups/${groupId}`, membersOp('add', [ann]));
    // The same add again (Infisical/infisical#2138): RFC 7644 §3.5.2.1, a value already there is no change and a success.
    await jumpcloud.send('patch', `/scim/v2/Groups/${groupId}`, membersOp('add', [ann]));
    await jumpcloud.send('patch', `/scim/v2/Groups/${groupId}`, membersOp('add', [ann, bob]));
    expect(await jumpcloud.memberIds(groupId)).toEqual([ann, bob].sort());
    await jumpcloud.send('patch', `/scim/v2/Groups/${groupId}`, membersOp('remove', [ann]));
    expect(await jumpcloud.memberIds(groupId)).toEqual([bob]);
    await jumpcloud.send('delete', `/scim/v2/Groups/${groupId}`);
    await jumpcloud.send('get', `/scim/v2/Groups/${groupId}`, undefined, 404);
  });
});
