import { CORE_USER, gatewayBackends } from '../support/test-gateway.js';
import { startClientReplay, type ClientReplay } from './client-replay.js';

const SCIM_1_CORE = 'urn:scim:schemas:core:1.0';

/**
 * Google Workspace's automated user provisioning for a custom SAML app, replayed. Google publishes no request
 * bodies; the shapes come from:
 * - issue 13 (users' reports): the SCIM 1.0 core schema URN `urn:scim:schemas:core:1.0` beside the 2.0 one on POST;
 * - https://authn-sh-docs.pages.dev/guides/scim/google-workspace/ (the connection probe `GET /Users?count=1`; the
 *   deprovisioning triggers, "Delete the user" sending DELETE);
 * - https://support.google.com/a/answer/7365072 (automated user provisioning: create, update, suspend, delete).
 * Google Workspace provisions users only (a group scopes which users are sent; no group is pushed), so this suite
 * has no group push.
 */
describe.each(gatewayBackends())("Google Workspace's SCIM client on %s", (_backend, env) => {
  let google: ClientReplay;
  const email = (name: string) => `${name}.${google.tag}@workspace.example`;
  const user = (name: string, extra: Record<string, unknown> = {}) => ({
    schemas: [SCIM_1_CORE, CORE_USER],
    userName: email(name),
    name: { givenName: name, familyName: 'Google' },
    emails: [{ value: email(name), type: 'work', primary: true }],
    active: true,
    ...extra,
  });

  beforeAll(async () => {
    google = await startClientReplay('google', env);
  });
  afterAll(async () => {
    await google?.close();
  });

  it('Google Workspace probes the connection with GET /Users?count=1', async () => {
    expect((await google.send('get', '/scim/v2/Users?count=1')).body).toMatchObject({ startIndex: 1, Resources: expect.any(Array) });
  });

  it('Google Workspace creates a user with the SCIM 1.0 core URN beside 2.0, and the gateway writes only 2.0', async () => {
    const created = await google.send('post', '/scim/v2/Users', user('create'));
    // What the gateway writes stays RFC 7643: the 1.0 URN is accepted on input, never echoed.
    expect(created.body.schemas).toEqual([CORE_USER]);
    expect(created.body).toMatchObject({ userName: email('create'), name: { givenName: 'create' } });
    expect((await google.filter('Users', `userName eq "${email('create')}"`)).body.totalResults).toBe(1);
  });

  it('Google Workspace updates, suspends and deletes a user', async () => {
    const id = (await google.send('post', '/scim/v2/Users', user('lifecycle'))).body.id;
    const updated = await google.send('put', `/scim/v2/Users/${id}`, user('lifecycle', { name: { givenName: 'Renamed', familyName: 'Google' } }));
    expect(updated.body.name).toMatchObject({ givenName: 'Renamed' });
    expect((await google.send('put', `/scim/v2/Users/${id}`, user('lifecycle', { active: false }))).body.active).toBe(false);
    await google.send('delete', `/scim/v2/Users/${id}`);
    await google.send('get', `/scim/v2/Users/${id}`, undefined, 404);
  });
});
