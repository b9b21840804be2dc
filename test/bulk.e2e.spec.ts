import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** RFC 7644 §3.7 through the whole flow. */
describe('/Bulk', () => {
  let gateway: TestGateway;
  const json = (response: { text: string }) => JSON.parse(response.text);
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('RFC 7644 §3.7.2: a group whose member is a user created earlier in the same request (bulkId reference)', async () => {
    const response = await gateway.scim('post', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: entraUser('alice-bulk@contoso.com') },
        { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] } },
      ],
    });
    expect(response.status).toBe(200);
    const [user, group] = json(response).Operations;
    expect(user).toMatchObject({ method: 'POST', bulkId: 'qwerty', status: '201', version: 'W/"0"', location: expect.stringMatching(/\/Users\/[0-9a-f-]{36}$/) });
    expect(group).toMatchObject({ method: 'POST', bulkId: 'ytrewq', status: '201' });
    const userId = user.location.split('/').pop();
    const groupBody = json(await gateway.scim('get', new URL(group.location).pathname));
    expect(groupBody.members.map((m: { value: string }) => m.value)).toEqual([userId]);
  });

  it('resolves a forward reference, and reports each outcome in request order', async () => {
    const response = await gateway.scim('post', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Forward', members: [{ value: 'bulkId:u' }] } },
        { method: 'POST', path: '/Users', bulkId: 'u', data: entraUser('forward@contoso.com') },
        { method: 'PATCH', path: '/Users/bulkId:u', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
      ],
    });
    expect(json(response).Operations.map((o: { status: string; bulkId?: string }) => [o.bulkId, o.status])).toEqual([
      ['g', '201'],
      ['u', '201'],
      [undefined, '200'],
    ]);
  });

  it('reports failures as SCIM errors and stops after failOnErrors', async () => {
    const response = await gateway.scim('post', '/scim/v2/Bulk', {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: entraUser('dup-bulk@contoso.com') },
        { method: 'POST', path: '/Users', bulkId: 'b', data: entraUser('dup-bulk@contoso.com') },
        { method: 'POST', path: '/Users', bulkId: 'c', data: entraUser('never-created@contoso.com') },
      ],
    });
    expect(response.status).toBe(200);
    const operations = json(response).Operations;
    expect(operations).toHaveLength(2);
    expect(operations[1]).toMatchObject({ bulkId: 'b', status: '409', response: { scimType: 'uniqueness', status: '409' } });
    const never = json(await gateway.scim('get', '/scim/v2/Users?filter=' + encodeURIComponent('userName eq "never-created@contoso.com"')));
    expect(never.totalResults).toBe(0);
  });

  it('answers an unresolvable bulkId with 409 for that operation only', async () => {
    const response = await gateway.scim('post', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [{ method: 'DELETE', path: '/Users/bulkId:ghost' }],
    });
    expect(json(response).Operations[0]).toMatchObject({ status: '409', response: { detail: expect.stringMatching(/ghost/) } });
  });

  it('refuses more operations than advertised with 413, and a BulkRequest without its schema with 400', async () => {
    const operations = Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/${i}` }));
    const tooMany = await gateway.scim('post', '/scim/v2/Bulk', { schemas: [BULK], Operations: operations });
    expect(tooMany.status).toBe(413);
    expect(json(tooMany).detail).toMatch(/maximum is 1000/);
    expect((await gateway.scim('post', '/scim/v2/Bulk', { Operations: [{ method: 'DELETE', path: '/Users/x' }] })).status).toBe(400);
  });
});
