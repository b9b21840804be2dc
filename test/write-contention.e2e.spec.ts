import { randomUUID } from 'node:crypto';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

// Contention that is not a conflict is not an error (docs/decisions.md "Concurrent writes to one resource wait
// their turn"): concurrent writes to one resource all succeed, and only a real conflict (a stale If-Match, a taken
// userName) is refused, with its own 4xx. On the embedded store, a burst of writes also must not run into the
// embedded server's connection cap.
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BURST = 50;

describe.each(backends())('concurrent writes to one resource on %s', (_name, env) => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(env);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
  });

  const patch = (resource: 'Users' | 'Groups', id: string, operations: unknown[]) =>
    gateway.scim('patch', `/scim/v2/${resource}/${id}`, { schemas: [PATCH_OP], Operations: operations });
  const createUser = async (userName = `burst.${randomUUID()}@contoso.com`): Promise<string> => {
    const created = await gateway.scim('post', '/scim/v2/Users', entraUser(userName));
    expect(created.status).toBe(201);
    return JSON.parse(created.text).id as string;
  };
  const createGroup = async (): Promise<string> => {
    const created = await gateway.scim('post', '/scim/v2/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: `burst ${randomUUID()}`,
    });
    expect(created.status).toBe(201);
    return JSON.parse(created.text).id as string;
  };
  const statusesOf = (responses: readonly { status: number; text: string }[]) =>
    responses.map((response) => (response.status >= 500 ? `${response.status} ${response.text}` : response.status));

  it(`${BURST} concurrent PATCHes to one user all succeed, and every change is kept`, async () => {
    const id = await createUser();
    const values = Array.from({ length: BURST }, (_, index) => `+1 555 01${String(index).padStart(2, '0')}`);
    const responses = await Promise.all(
      values.map((value) => patch('Users', id, [{ op: 'add', path: 'phoneNumbers', value: [{ value, type: 'other' }] }])),
    );
    expect(statusesOf(responses)).toEqual(values.map(() => 200));

    const read = await gateway.scim('get', `/scim/v2/Users/${id}`);
    expect(read.status).toBe(200);
    const user = JSON.parse(read.text) as { phoneNumbers?: { value: string }[]; meta: { version: string } };
    expect((user.phoneNumbers ?? []).map((phone) => phone.value).sort()).toEqual(expect.arrayContaining(values));
    expect(user.meta.version).toBe(`W/"${BURST}"`);
  }, 120_000);

  it(`${BURST} concurrent PATCHes to one group, each adding a member, all succeed, and every member is listed`, async () => {
    const groupId = await createGroup();
    const members: string[] = [];
    for (let index = 0; index < BURST; index++) members.push(await createUser());
    const responses = await Promise.all(members.map((member) => patch('Groups', groupId, [{ op: 'add', path: 'members', value: [{ value: member }] }])));
    expect(statusesOf(responses)).toEqual(members.map(() => 204));

    const read = await gateway.scim('get', `/scim/v2/Groups/${groupId}`);
    expect(read.status).toBe(200);
    const listed = (JSON.parse(read.text) as { members?: { value: string }[] }).members ?? [];
    expect(listed.map((member) => member.value).sort()).toEqual([...members].sort());
  }, 180_000);

  it('adding a user to groups succeeds while the user itself is being changed', async () => {
    const userId = await createUser();
    const groups: string[] = [];
    for (let index = 0; index < 25; index++) groups.push(await createGroup());
    const adds = groups.map((groupId) => patch('Groups', groupId, [{ op: 'add', path: 'members', value: [{ value: userId }] }]));
    const changes = Array.from({ length: 25 }, (_, index) => patch('Users', userId, [{ op: 'replace', path: 'title', value: `title ${index}` }]));
    const [added, changed] = await Promise.all([Promise.all(adds), Promise.all(changes)]);
    expect(statusesOf(added)).toEqual(groups.map(() => 204));
    expect(statusesOf(changed)).toEqual(changes.map(() => 200));

    for (const groupId of groups) {
      const read = await gateway.scim('get', `/scim/v2/Groups/${groupId}`);
      expect(((JSON.parse(read.text) as { members?: { value: string }[] }).members ?? []).map((member) => member.value)).toEqual([userId]);
    }
  }, 180_000);

  it('a user deleted while being added to groups is listed in none of them', async () => {
    const userId = await createUser();
    const groups: string[] = [];
    for (let index = 0; index < 10; index++) groups.push(await createGroup());
    const adds = groups.map((groupId) => patch('Groups', groupId, [{ op: 'add', path: 'members', value: [{ value: userId }] }]));
    const [deleted, ...added] = await Promise.all([gateway.scim('delete', `/scim/v2/Users/${userId}`), ...adds]);
    expect(deleted.status).toBe(204);
    // Each add either committed before the delete (and the delete removed the member) or found no such user and
    // skipped it (the default unknown-members policy, skip: 200 with the group, showing the skip): a success either
    // way, and never a member.
    for (const response of added) expect([200, 204]).toContain(response.status);

    for (const groupId of groups) {
      const read = await gateway.scim('get', `/scim/v2/Groups/${groupId}`);
      expect((JSON.parse(read.text) as { members?: unknown[] }).members ?? []).toEqual([]);
    }
  }, 120_000);

  it('of 20 concurrent PUTs with the same If-Match, one wins and every other gets 412', async () => {
    const userName = `ifmatch.${randomUUID()}@contoso.com`;
    const id = await createUser(userName);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        gateway.scim('put', `/scim/v2/Users/${id}`, { ...entraUser(userName), displayName: `Put ${index}` }).set('If-Match', 'W/"0"'),
      ),
    );
    const statuses = statusesOf(responses);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(19);
  }, 120_000);

  it('of 20 concurrent POSTs of one new userName, one creates it and every other gets 409', async () => {
    const userName = `unique.${randomUUID()}@contoso.com`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => gateway.scim('post', '/scim/v2/Users', entraUser(userName))));
    const statuses = statusesOf(responses);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    for (const response of responses.filter((r) => r.status === 409)) expect(JSON.parse(response.text)).toMatchObject({ scimType: 'uniqueness' });
  }, 120_000);
});

/** PGlite always; the PostgreSQL server too when DATABASE_URL is set (CI). */
function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}
