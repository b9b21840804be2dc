import { CORE_USER, ENTERPRISE_USER, gatewayBackends } from '../support/test-gateway.js';
import { GROUP, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

/**
 * PingFederate's SCIM Provisioner (outbound provisioning), replayed. Sources:
 * - "SCIM provisioner settings reference",
 *   https://docs.pingidentity.com/integrations/scim/setup/pf_scim_connector_scim_connector_settings_reference.html
 *   (the unique user identifier: userName by default, filter `userName eq <userName_value>`; SCIM core and enterprise
 *   attributes);
 * - "User and group management", https://docs.pingidentity.com/integrations/scim/pf_scim_connector_user_and_group_management.html
 *   (existing users linked by userName; existing groups linked by name; deprovisioning disables or deletes);
 * - PingFederate's target settings, "SCIM SP Supports Patch Updates",
 *   https://docs.pingidentity.com/r/en-us/pingfederate-100/help_saaschanneltasklet_saastargetstate (updates by PATCH);
 * - issue 13: PingFederate finds groups by listing them all (no filter).
 * Ping publishes which requests it sends, not their bodies; the operations below are the RFC 7644 forms of them.
 */
describe.each(gatewayBackends())("PingFederate's SCIM provisioner on %s", (_backend, env) => {
  let ping: ClientReplay;
  const login = (name: string) => `${name}-${ping.tag}`;

  beforeAll(async () => {
    ping = await startClientReplay('pingfederate', env);
  });
  afterAll(async () => {
    await ping?.close();
  });

  /** Match on userName (the default unique user identifier), create when nothing matched. */
  async function provision(name: string): Promise<string> {
    const match = await ping.filter('Users', `userName eq "${login(name)}"`);
    if (match.body.totalResults > 0) return match.body.Resources[0].id;
    const created = await ping.send('post', '/scim/v2/Users', {
      schemas: [CORE_USER, ENTERPRISE_USER],
      userName: login(name),
      name: { givenName: name, familyName: 'Ping' },
      emails: [{ value: `${login(name)}@ping.example`, type: 'work', primary: true }],
      active: true,
      [ENTERPRISE_USER]: { employeeNumber: '7', department: 'R&D' },
    });
    return created.body.id;
  }

  /** Every group, page by page, as PingFederate lists them to find one by name. */
  async function allGroups(): Promise<{ id: string; displayName: string }[]> {
    const groups: { id: string; displayName: string }[] = [];
    for (let startIndex = 1; ; ) {
      const page = (await ping.send('get', `/scim/v2/Groups?startIndex=${startIndex}&count=50`)).body;
      groups.push(...page.Resources);
      startIndex += page.Resources.length;
      if (page.Resources.length === 0 || startIndex > page.totalResults) return groups;
    }
  }

  it('PingFederate matches users on userName: a second run links the same user instead of creating one', async () => {
    const first = await provision('jsmith');
    expect(await provision('jsmith')).toBe(first);
  });

  it('PingFederate updates a user by PATCH, disables it, then deletes it', async () => {
    const id = await provision('update');
    const patched = await ping.send('patch', `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'name.givenName', value: 'Janet' },
        { op: 'replace', path: `${ENTERPRISE_USER}:department`, value: 'Sales' },
      ],
    });
    expect(patched.status === 204 || patched.body.name.givenName === 'Janet').toBe(true);
    expect((await ping.send('get', `/scim/v2/Users/${id}`)).body).toMatchObject({ name: { givenName: 'Janet' }, [ENTERPRISE_USER]: { department: 'Sales' } });
    await ping.send('patch', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect((await ping.send('get', `/scim/v2/Users/${id}`)).body.active).toBe(false);
    await ping.send('delete', `/scim/v2/Users/${id}`);
    await ping.send('get', `/scim/v2/Users/${id}`, undefined, 404);
  });

  it('PingFederate finds groups by listing them all, pushes one with its members, updates membership, deletes it', async () => {
    const ann = await provision('ann');
    const bob = await provision('bob');
    const displayName = `Ping Engineers ${ping.tag}`;
    expect((await allGroups()).some((group) => group.displayName === displayName)).toBe(false);
    const groupId = (await ping.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName, members: [{ value: ann }] })).body.id;
    // The next cycle lists every group again and finds this one by its name.
    expect((await allGroups()).filter((group) => group.displayName === displayName).map((group) => group.id)).toEqual([groupId]);
    await ping.send('patch', `/scim/v2/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: bob }] },
        { op: 'remove', path: `members[value eq "${ann}"]` },
      ],
    });
    expect(await ping.memberIds(groupId)).toEqual([bob]);
    await ping.send('delete', `/scim/v2/Groups/${groupId}`);
    expect((await allGroups()).some((group) => group.id === groupId)).toBe(false);
  });
});
