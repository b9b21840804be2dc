import { CORE_USER, gatewayBackends } from '../support/test-gateway.js';
import { GROUP, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

/**
 * The Keycloak SCIM plugin's client (Captain-P-Goldfish/scim-for-keycloak, built on Captain-P-Goldfish/SCIM-SDK),
 * replayed. Sources:
 * - Captain-P-Goldfish/scim-for-keycloak#133: renaming a group sends a path-less replace whose value is the group
 *   as a JSON-encoded string, `schemas` included ("I will keep the schemas-attribute in the request");
 * - Captain-P-Goldfish/scim-for-keycloak#172: when its POST finds the group already there, the GroupSynchronizer
 *   fetches it and sends the same JSON-string replace with `externalId` and `displayName`, then the membership
 *   operations (`members[value eq "..."]` remove, `members` add);
 * - Captain-P-Goldfish/SCIM-SDK, the client's resource requests: POST, PUT with the full resource, DELETE.
 */
describe.each(gatewayBackends())('the Keycloak SCIM plugin on %s', (_backend, env) => {
  let keycloak: ClientReplay;
  const username = (name: string) => `${name}-${keycloak.tag}`;

  beforeAll(async () => {
    keycloak = await startClientReplay('keycloak', env);
  });
  afterAll(async () => {
    await keycloak?.close();
  });

  const user = (name: string, extra: Record<string, unknown> = {}) => ({
    schemas: [CORE_USER],
    externalId: `kc-${name}-${keycloak.tag}`,
    userName: username(name),
    name: { givenName: name, familyName: 'Keycloak' },
    emails: [{ value: `${username(name)}@keycloak.example`, primary: true }],
    active: true,
    ...extra,
  });

  it('the Keycloak SCIM plugin creates, updates with PUT, disables and deletes a user', async () => {
    const id = (await keycloak.send('post', '/scim/v2/Users', user('life'))).body.id;
    expect((await keycloak.send('put', `/scim/v2/Users/${id}`, user('life', { id, name: { givenName: 'Changed', familyName: 'Keycloak' } }))).body.name.givenName).toBe('Changed');
    expect((await keycloak.send('put', `/scim/v2/Users/${id}`, user('life', { id, active: false }))).body.active).toBe(false);
    await keycloak.send('delete', `/scim/v2/Users/${id}`);
    await keycloak.send('get', `/scim/v2/Users/${id}`, undefined, 404);
  });

  it('the Keycloak SCIM plugin renames a group with a path-less value given as a JSON-encoded string', async () => {
    const groupId = (await keycloak.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `Engineering ${keycloak.tag}` })).body.id;
    // scim-for-keycloak#133, verbatim but for the name.
    await keycloak.send('patch', `/scim/v2/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: JSON.stringify({ schemas: [GROUP], displayName: `EPD ${keycloak.tag}` }) }],
    });
    expect((await keycloak.send('get', `/scim/v2/Groups/${groupId}`)).body.displayName).toBe(`EPD ${keycloak.tag}`);
  });

  it('the Keycloak SCIM plugin reconciles a group that already exists: 409, fetch by name, JSON-string replace, member operations, delete', async () => {
    const ann = (await keycloak.send('post', '/scim/v2/Users', user('ann'))).body.id;
    const bob = (await keycloak.send('post', '/scim/v2/Users', user('bob'))).body.id;
    const displayName = `example/developers ${keycloak.tag}`;
    const existing = (await keycloak.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName, members: [{ value: ann }] })).body.id;
    // The plugin's own POST meets the group (group displayName is unique, issue 13): 409 uniqueness, then it fetches it.
    const conflict = await keycloak.send('post', '/scim/v2/Groups', { schemas: [GROUP], externalId: `kc-group-${keycloak.tag}`, displayName }, 409);
    expect(conflict.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const found = await keycloak.filter('Groups', `displayName eq "${displayName}"`);
    expect(found.body.Resources.map((group: { id: string }) => group.id)).toEqual([existing]);
    // scim-for-keycloak#172: one PATCH, the JSON-string replace first, then the membership operations.
    await keycloak.send('patch', `/scim/v2/Groups/${existing}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: JSON.stringify({ schemas: [GROUP], externalId: `kc-group-${keycloak.tag}`, displayName }) },
        { op: 'remove', path: `members[value eq "${ann}"]` },
        { op: 'add', path: 'members', value: [{ value: bob }] },
      ],
    });
    const group = (await keycloak.send('get', `/scim/v2/Groups/${existing}`)).body;
    expect(group).toMatchObject({ externalId: `kc-group-${keycloak.tag}`, displayName });
    expect(await keycloak.memberIds(existing)).toEqual([bob]);
    await keycloak.send('delete', `/scim/v2/Groups/${existing}`);
    await keycloak.send('get', `/scim/v2/Groups/${existing}`, undefined, 404);
  });
});
