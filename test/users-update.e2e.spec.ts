import { ENTERPRISE_USER, entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** PATCH and PUT on /Users in the forms Entra sends (../shared/ENTRA.md), through the whole flow. */
describe('updating users over HTTP', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const create = async (userName: string, externalId?: string) => {
    const response = await gateway.scim('post', '/scim/v2/Users', entraUser(userName, externalId));
    expect(response.status).toBe(201);
    return JSON.parse(response.text) as { id: string; [key: string]: unknown };
  };
  const patch = (id: string, operations: unknown[]) =>
    gateway.scim('patch', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations: operations });
  const filter = async (expression: string) =>
    JSON.parse((await gateway.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent(expression))).text) as {
      totalResults: number;
      Resources: { id: string }[];
    };

  it("applies Entra's default PATCH (capitalised ops, value-path email, sub-attribute) and bumps the version", async () => {
    const user = await create('patch-default@contoso.com');
    const response = await patch(user.id, [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ]);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(body.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }]);
    expect(body.name.familyName).toBe('updatedFamilyName');
    expect(body.meta.version).toBe('W/"1"');
    expect(response.headers['etag']).toBe('W/"1"');
    // The read model has the change at once (read-your-writes).
    const read = JSON.parse((await gateway.scim('get', `/scim/v2/Users/${user.id}`)).text);
    expect(read).toEqual(body);
  });

  it('disables with a string boolean and the user stays readable and matchable', async () => {
    const user = await create('leaver-soft@contoso.com');
    const response = await patch(user.id, [{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).active).toBe(false);
    expect((await gateway.scim('get', `/scim/v2/Users/${user.id}`)).status).toBe(200);
    expect(await filter('userName eq "leaver-soft@contoso.com"')).toMatchObject({ totalResults: 1 });
  });

  it('applies the aadOptscim062020 path-less replace with dotted and URN-qualified keys', async () => {
    const user = await create('patch-062020@contoso.com');
    const response = await patch(user.id, [
      {
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          [`${ENTERPRISE_USER}:employeeNumber`]: 'Aklq',
        },
      },
    ]);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(body).toMatchObject({ displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua' } });
    expect(body[ENTERPRISE_USER]).toEqual({ employeeNumber: 'Aklq' });
    expect(body.schemas).toContain(ENTERPRISE_USER);
  });

  it('sets the manager from the Add form and from a bare string', async () => {
    const manager = await create('manager@contoso.com');
    const newManager = await create('new-manager@contoso.com');
    const report = await create('report@contoso.com');
    const added = await patch(report.id, [{ op: 'Add', path: 'manager', value: [{ $ref: `../Users/${manager.id}`, value: manager.id }] }]);
    expect(added.status).toBe(200);
    expect(JSON.parse(added.text)[ENTERPRISE_USER].manager).toEqual({ $ref: `../Users/${manager.id}`, value: manager.id });
    // A new manager replaces the whole value: the old $ref must not survive.
    const bare = await patch(report.id, [{ op: 'replace', path: `${ENTERPRISE_USER}:manager`, value: newManager.id }]);
    expect(bare.status).toBe(200);
    expect(JSON.parse(bare.text)[ENTERPRISE_USER].manager).toEqual({ value: newManager.id });
  });

  it('renames: the new userName is matchable, the old one free, a taken one 409', async () => {
    const user = await create('before-rename@contoso.com');
    const other = await create('taken@contoso.com');
    expect((await patch(user.id, [{ op: 'replace', path: 'userName', value: 'after-rename@contoso.com' }])).status).toBe(200);
    expect(await filter('userName eq "after-rename@contoso.com"')).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
    expect(await filter('userName eq "before-rename@contoso.com"')).toMatchObject({ totalResults: 0 });
    await create('before-rename@contoso.com', 'a-new-external-id');
    const clash = await patch(user.id, [{ op: 'replace', path: 'userName', value: 'TAKEN@contoso.com' }]);
    expect(clash.status).toBe(409);
    expect(JSON.parse(clash.text)).toMatchObject({ scimType: 'uniqueness' });
    // Nothing half-written: the user keeps its name, the other user is untouched.
    expect(JSON.parse((await gateway.scim('get', `/scim/v2/Users/${user.id}`)).text).userName).toBe('after-rename@contoso.com');
    expect(JSON.parse((await gateway.scim('get', `/scim/v2/Users/${other.id}`)).text).userName).toBe('taken@contoso.com');
  });

  it('applies a PATCH of externalId (a common complaint about other servers)', async () => {
    const user = await create('ext-change@contoso.com');
    expect((await patch(user.id, [{ op: 'Replace', path: 'externalId', value: 'new-ext-id' }])).status).toBe(200);
    expect(await filter('externalId eq "new-ext-id"')).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
  });

  it.each([
    ['a PatchOp without Operations', { schemas: [PATCH_OP] }, 400, 'invalidSyntax'],
    ['an unknown op', { schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'active', value: true }] }, 400, undefined],
    ['a readOnly target', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] }, 400, 'mutability'],
    ['a bad path', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] }, 400, 'invalidPath'],
    ['removing userName', { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'userName' }] }, 400, 'invalidValue'],
  ])('answers %s with a SCIM error and changes nothing', async (_, body, status, scimType) => {
    const user = await create(`bad-patch-${Math.random().toString(36).slice(2)}@contoso.com`);
    const response = await gateway.scim('patch', `/scim/v2/Users/${user.id}`, body);
    expect(response.status).toBe(status);
    const error = JSON.parse(response.text);
    if (scimType) expect(error.scimType).toBe(scimType);
    expect(error.detail.length).toBeGreaterThan(10);
    const after = JSON.parse((await gateway.scim('get', `/scim/v2/Users/${user.id}`)).text);
    expect(after.meta.version).toBe('W/"0"');
  });

  it('answers 404 to a PATCH of a missing user', async () => {
    const response = await patch('2819c223-7f76-453a-919d-413861904646', [{ op: 'replace', path: 'active', value: false }]);
    expect(response.status).toBe(404);
  });

  it('answers 412 to a PATCH whose If-Match is stale', async () => {
    const user = await create('if-match@contoso.com');
    const response = await patch(user.id, [{ op: 'replace', path: 'active', value: false }]).set('If-Match', 'W/"5"');
    expect(response.status).toBe(412);
  });

  it('replaces a whole user with PUT, ignoring readOnly id and meta in the body', async () => {
    const user = await create('put-me@contoso.com');
    const replacement = { ...entraUser('put-me@contoso.com'), id: 'ignored', meta: { version: 'W/"99"' }, displayName: 'Put Me', active: false };
    const response = await gateway.scim('put', `/scim/v2/Users/${user.id}`, replacement);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(body).toMatchObject({ id: user.id, displayName: 'Put Me', active: false, meta: { version: 'W/"1"' } });
  });

  it('honours attributes and excludedAttributes on GET (RFC 7644 §3.4.2.5)', async () => {
    const user = await create('projected@contoso.com');
    const only = JSON.parse((await gateway.scim('get', `/scim/v2/Users/${user.id}?attributes=userName`)).text);
    expect(Object.keys(only).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const without = JSON.parse((await gateway.scim('get', `/scim/v2/Users/${user.id}?excludedAttributes=emails,name`)).text);
    expect(without.emails).toBeUndefined();
    expect(without.name).toBeUndefined();
    expect(without.userName).toBe('projected@contoso.com');
  });
});
