import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

/** /Groups as Entra uses them (../shared/ENTRA.md), through the whole flow. */
describe('Groups over HTTP', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const json = (response: { text: string }) => JSON.parse(response.text);
  const createUser = async (userName: string) => json(await gateway.scim('post', '/scim/v2/Users', entraUser(userName))).id as string;
  const createGroup = async (displayName: string, externalId?: string) => {
    const response = await gateway.scim('post', '/scim/v2/Groups', {
      schemas: [GROUP, ADSCIM_GROUP],
      ...(externalId ? { externalId } : {}),
      displayName,
      meta: { resourceType: 'Group' },
    });
    expect(response.status).toBe(201);
    return json(response) as { id: string; members?: unknown[] };
  };
  const patch = (id: string, operations: unknown[]) => gateway.scim('patch', `/scim/v2/Groups/${id}`, { schemas: [PATCH_OP], Operations: operations });
  const memberIds = async (groupId: string) =>
    ((json(await gateway.scim('get', `/scim/v2/Groups/${groupId}`)).members ?? []) as { value: string }[]).map((m) => m.value).sort();

  it("runs Entra's group cycle: match by displayName, POST without members, PATCH to add", async () => {
    const match = await gateway.scim('get', '/scim/v2/Groups?excludedAttributes=members&filter=' + encodeURIComponent('displayName eq "Sales"'));
    expect(match.status).toBe(200);
    expect(json(match)).toMatchObject({ totalResults: 0, Resources: [] });

    const group = await createGroup('Sales', '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159');
    expect(group).toMatchObject({ displayName: 'Sales', meta: { resourceType: 'Group', version: 'W/"0"' } });
    expect(group.members ?? []).toEqual([]);

    const ann = await createUser('ann@contoso.com');
    const bob = await createUser('bob@contoso.com');
    const added = await patch(group.id, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: ann }, { $ref: null, value: bob }] }]);
    expect(added.status).toBe(204);
    expect(await memberIds(group.id)).toEqual([ann, bob].sort());
    const full = json(await gateway.scim('get', `/scim/v2/Groups/${group.id}`));
    // Entra sends no member type: the gateway found the user, and records and shows its type.
    expect(full.members).toContainEqual({ value: ann, $ref: expect.stringContaining(`/Users/${ann}`), type: 'User' });

    const matched = await gateway.scim('get', '/scim/v2/Groups?excludedAttributes=members&filter=' + encodeURIComponent('displayName eq "sales"'));
    expect(json(matched)).toMatchObject({ totalResults: 1, Resources: [{ id: group.id, displayName: 'Sales' }] });
    expect(json(matched).Resources[0].members).toBeUndefined();
    const byId = json(await gateway.scim('get', `/scim/v2/Groups/${group.id}?excludedAttributes=members`));
    expect(byId.members).toBeUndefined();
  });

  it('filters groups by member (members[value eq "id"], members eq, members pr), reading the members table', async () => {
    const member = await createUser('filter-member@contoso.com');
    const withMember = await createGroup('Has Member');
    const empty = await createGroup('Has Nobody');
    expect((await patch(withMember.id, [{ op: 'add', path: 'members', value: [{ value: member, type: 'User', display: 'Filter Member' }] }])).status).toBe(204);
    const ids = async (expression: string) =>
      (json(await gateway.scim('get', `/scim/v2/Groups?excludedAttributes=members&filter=${encodeURIComponent(expression)}`)).Resources as { id: string }[]).map((g) => g.id);
    expect(await ids(`members[value eq "${member}"]`)).toEqual([withMember.id]);
    expect(await ids(`members eq "${member}"`)).toEqual([withMember.id]);
    expect(await ids(`members[type eq "User" and display sw "filter"]`)).toEqual([withMember.id]);
    expect(await ids(`displayName sw "Has " and members pr`)).toEqual([withMember.id]);
    expect(await ids(`displayName sw "Has " and not (members pr)`)).toEqual([empty.id]);
    const refused = await gateway.scim('get', `/scim/v2/Groups?filter=${encodeURIComponent('members[$ref eq "x"]')}`);
    expect(refused.status).toBe(400);
    expect(json(refused)).toMatchObject({ scimType: 'invalidFilter' });
  });

  it('removes members by value array and by members[value eq "id"], never everyone by mistake', async () => {
    const group = await createGroup('Removals');
    const [a, b, c] = await Promise.all(['r-a@contoso.com', 'r-b@contoso.com', 'r-c@contoso.com'].map(createUser));
    expect((await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: a }, { value: b }, { value: c }] }])).status).toBe(204);
    expect((await patch(group.id, [{ op: 'Remove', path: 'members', value: [{ value: a }] }])).status).toBe(204);
    expect(await memberIds(group.id)).toEqual([b, c].sort());
    expect((await patch(group.id, [{ op: 'remove', path: `members[value eq "${b}"]` }])).status).toBe(204);
    expect(await memberIds(group.id)).toEqual([c]);
    expect((await patch(group.id, [{ op: 'Remove', path: 'members', value: [{ display: 'nobody' }] }])).status).toBe(204);
    expect(await memberIds(group.id)).toEqual([c]);
  });

  it('renames a group with a path-less replace and keeps displayName unique, case-insensitively', async () => {
    const group = await createGroup('Engineering');
    await createGroup('Marketing');
    expect((await patch(group.id, [{ op: 'replace', value: { displayName: 'Platform Engineering' } }])).status).toBe(204);
    expect(json(await gateway.scim('get', `/scim/v2/Groups/${group.id}`)).displayName).toBe('Platform Engineering');
    const clash = await patch(group.id, [{ op: 'replace', path: 'displayName', value: 'MARKETING' }]);
    expect(clash.status).toBe(409);
    expect(json(clash)).toMatchObject({ scimType: 'uniqueness', detail: expect.stringMatching(/displayName/) });
    const duplicate = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'platform engineering' });
    expect(duplicate.status).toBe(409);
    // The old name is free again.
    await createGroup('Engineering');
  });

  it('removes a deleted user from every group it was in', async () => {
    const leaver = await createUser('leaver-groups@contoso.com');
    const stayer = await createUser('stayer-groups@contoso.com');
    const first = await createGroup('Leaver One');
    const second = await createGroup('Leaver Two');
    for (const group of [first, second]) {
      expect((await patch(group.id, [{ op: 'Add', path: 'members', value: [{ value: leaver }, { value: stayer }] }])).status).toBe(204);
    }
    expect((await gateway.scim('delete', `/scim/v2/Users/${leaver}`)).status).toBe(204);
    expect(await memberIds(first.id)).toEqual([stayer]);
    expect(await memberIds(second.id)).toEqual([stayer]);
  });

  it('leaves out a member that is not a user or group of the tenant (policy skip, the default), and never lists it', async () => {
    // Under SCIM_UNKNOWN_GROUP_MEMBERS=reject the same requests are 400: test/group-members-policy.e2e.spec.ts.
    const group = await createGroup('Ghost Members');
    const real = await createUser('ghost-check@contoso.com');
    const ghost = '0f0f0f0f-0000-4000-8000-00000000dead';
    const patched = await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: real }, { value: ghost }] }]);
    // 200 with the group, not 204: the client sees that not everything it sent was applied.
    expect([patched.status, json(patched).members.map((member: { value: string }) => member.value)]).toEqual([200, [real]]);
    expect(await memberIds(group.id)).toEqual([real]);
    const put = await gateway.scim('put', `/scim/v2/Groups/${group.id}`, { schemas: [GROUP], displayName: 'Ghost Members', members: [{ value: ghost }] });
    expect([put.status, json(put).members ?? []]).toEqual([200, []]);
    expect(await memberIds(group.id)).toEqual([]);
    const post = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'Ghost Post', members: [{ value: ghost }] });
    expect([post.status, json(post).members ?? []]).toEqual([201, []]);
    expect(await memberIds(json(post).id)).toEqual([]);
    // A deleted user is no longer a valid member either.
    expect((await gateway.scim('delete', `/scim/v2/Users/${real}`)).status).toBe(204);
    expect((await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: real }] }])).status).toBe(200);
    expect(await memberIds(group.id)).toEqual([]);
    // A type that does not match what the id is.
    const other = await createUser('ghost-check-2@contoso.com');
    const mistyped = await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: other, type: 'Group' }] }]);
    expect(mistyped.status).toBe(400);
    expect(json(mistyped).detail).toMatch(/is a User, not a Group/);
  });

  it('answers a group PATCH 204, or 200 with the group when the client asks with attributes or excludedAttributes (RFC 7644 §3.5.2, §3.9)', async () => {
    const group = await createGroup('Patch Answer');
    const member = await createUser('patch-answer@contoso.com');
    const quiet = await patch(group.id, [{ op: 'replace', path: 'displayName', value: 'Patch Answer 2' }]);
    expect([quiet.status, quiet.text]).toEqual([204, '']);
    const withMembers = await gateway
      .scim('patch', `/scim/v2/Groups/${group.id}?attributes=displayName,members`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }] });
    expect(withMembers.status).toBe(200);
    expect(withMembers.headers.etag).toBe('W/"2"');
    expect(json(withMembers)).toMatchObject({ id: group.id, displayName: 'Patch Answer 2', members: [{ value: member, type: 'User' }] });
    const withoutMembers = await gateway
      .scim('patch', `/scim/v2/Groups/${group.id}?excludedAttributes=members`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Patch Answer 3' }] });
    expect(withoutMembers.status).toBe(200);
    expect(json(withoutMembers)).toMatchObject({ id: group.id, displayName: 'Patch Answer 3', meta: { version: 'W/"3"' } });
    expect(json(withoutMembers).members).toBeUndefined();
    // A bad projection is refused before anything is stored.
    const refused = await gateway.scim('patch', `/scim/v2/Groups/${group.id}?attributes=${'a,'.repeat(200)}a`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Never' }] });
    expect(refused.status).toBe(400);
    expect(json(await gateway.scim('get', `/scim/v2/Groups/${group.id}`)).displayName).toBe('Patch Answer 3');
  });

  it('nests a group as a member (type found and shown), and removes it from its parents when it is deleted', async () => {
    const parent = await createGroup('Parent Group');
    const child = await createGroup('Child Group');
    expect((await patch(parent.id, [{ op: 'add', path: 'members', value: [{ value: child.id }] }])).status).toBe(204);
    const shown = json(await gateway.scim('get', `/scim/v2/Groups/${parent.id}`)).members;
    expect(shown).toEqual([{ value: child.id, type: 'Group', $ref: expect.stringContaining(`/Groups/${child.id}`) }]);
    expect((await patch(parent.id, [{ op: 'add', path: 'members', value: [{ value: parent.id }] }])).status).toBe(400);
    expect((await gateway.scim('delete', `/scim/v2/Groups/${child.id}`)).status).toBe(204);
    expect(await memberIds(parent.id)).toEqual([]);
  });

  it('never leaves a deleted user listed as a member when adds and deletes race', async () => {
    const groups = await Promise.all(['Race One', 'Race Two'].map((name) => createGroup(name)));
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => createUser(`race-${i}@contoso.com`)));
    const outcomes = await Promise.all(
      users.flatMap((user, i) => [
        patch(groups[i % 2].id, [{ op: 'add', path: 'members', value: [{ value: user }] }]).then((response) => response.status),
        gateway.scim('delete', `/scim/v2/Users/${user}`).then((response) => response.status),
      ]),
    );
    // Each add either landed before the delete (and the delete removed it: 204) or saw the user gone and skipped it
    // (200 with the group, which shows the skip); each delete is 204.
    outcomes.forEach((status, i) => expect(i % 2 === 0 ? [200, 204] : [204]).toContain(status));
    for (const group of groups) expect(await memberIds(group.id)).toEqual([]);
  });

  it("shows a user's groups (RFC 7643 §4.1.2): direct and through nested groups, filterable, never stale after a removal", async () => {
    const user = await createUser('groups-attr@contoso.com');
    const inner = await createGroup('Attr Inner');
    const outer = await createGroup('Attr Outer');
    expect((await patch(inner.id, [{ op: 'add', path: 'members', value: [{ value: user }] }])).status).toBe(204);
    expect((await patch(outer.id, [{ op: 'add', path: 'members', value: [{ value: inner.id }] }])).status).toBe(204);
    // A cycle of groups must not loop.
    expect((await patch(inner.id, [{ op: 'add', path: 'members', value: [{ value: outer.id }] }])).status).toBe(204);

    const shown = json(await gateway.scim('get', `/scim/v2/Users/${user}`));
    expect(shown.groups).toEqual([
      { value: inner.id, $ref: expect.stringContaining(`/Groups/${inner.id}`), display: 'Attr Inner', type: 'direct' },
      { value: outer.id, $ref: expect.stringContaining(`/Groups/${outer.id}`), display: 'Attr Outer', type: 'indirect' },
    ]);
    expect(json(await gateway.scim('get', `/scim/v2/Users/${user}?excludedAttributes=groups`)).groups).toBeUndefined();
    expect(json(await gateway.scim('get', `/scim/v2/Users/${user}?attributes=userName`)).groups).toBeUndefined();
    expect(json(await gateway.scim('get', `/scim/v2/Users/${user}?attributes=groups.value`)).groups).toEqual([{ value: inner.id }, { value: outer.id }]);

    const listed = async (filter: string) =>
      (json(await gateway.scim('get', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`)).Resources as { id: string; groups?: unknown[] }[]);
    const byMembership = await listed(`groups[value eq "${inner.id}"]`);
    expect(byMembership.map((u) => u.id)).toEqual([user]);
    expect(byMembership[0].groups).toHaveLength(2);
    expect((await listed(`groups.display eq "Attr Inner"`)).map((u) => u.id)).toEqual([user]);
    expect(await listed(`groups[value eq "${outer.id}"]`)).toEqual([]); // filters see direct memberships

    expect((await patch(inner.id, [{ op: 'remove', path: `members[value eq "${user}"]` }])).status).toBe(204);
    expect(json(await gateway.scim('get', `/scim/v2/Users/${user}`)).groups).toBeUndefined();
    const searched = await gateway.scim('post', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "groups-attr@contoso.com"` });
    expect(json(searched).Resources[0].groups).toBeUndefined();
  });

  it('replaces a group with PUT, members included', async () => {
    const group = await createGroup('Put Group');
    const member = await createUser('put-member@contoso.com');
    const response = await gateway.scim('put', `/scim/v2/Groups/${group.id}`, { schemas: [GROUP], displayName: 'Put Group', members: [{ value: member, type: 'User' }] });
    expect(response.status).toBe(200);
    expect(json(response).members).toEqual([{ value: member, $ref: expect.stringContaining(member), type: 'User' }]);
    expect(await memberIds(group.id)).toEqual([member]);
  });

  it('deletes a group: 204, then 404, and its displayName is free', async () => {
    const group = await createGroup('Short Lived');
    expect((await gateway.scim('delete', `/scim/v2/Groups/${group.id}`)).status).toBe(204);
    expect((await gateway.scim('get', `/scim/v2/Groups/${group.id}`)).status).toBe(404);
    expect((await patch(group.id, [{ op: 'add', path: 'members', value: [{ value: 'x' }] }])).status).toBe(404);
    await createGroup('Short Lived');
  });

  it.each([
    ['a group without displayName', { schemas: [GROUP] }, 'invalidValue'],
    ['a member without value', { schemas: [GROUP], displayName: 'Bad Members', members: [{ display: 'x' }] }, 'invalidValue'],
  ])('answers %s with 400', async (_, body, scimType) => {
    const response = await gateway.scim('post', '/scim/v2/Groups', body);
    expect(response.status).toBe(400);
    expect(json(response)).toMatchObject({ scimType });
  });
});
