import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** RFC 7644 §3.4.2.3 sorting, §3.4.2.4 paging, §3.4.3 POST .search, §3.14 If-None-Match. */
describe('searching, sorting and conditional GETs', () => {
  let gateway: TestGateway;
  const json = (response: { text: string }) => JSON.parse(response.text);

  beforeAll(async () => {
    gateway = await startTestGateway();
    for (const [userName, familyName] of [['s-carol@contoso.com', 'Carter'], ['s-ann@contoso.com', 'adams'], ['s-bob@contoso.com', 'Baker']]) {
      const user = { ...entraUser(userName), name: { familyName, givenName: 'x' } };
      expect((await gateway.scim('post', '/scim/v2/Users', user)).status).toBe(201);
    }
    expect((await gateway.scim('post', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 's-group' })).status).toBe(201);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('sorts by a sub-attribute, case-insensitively, both ways', async () => {
    const ascending = json(await gateway.scim('get', '/scim/v2/Users?sortBy=name.familyName&filter=' + encodeURIComponent('userName sw "s-"')));
    expect(ascending.Resources.map((u: { name: { familyName: string } }) => u.name.familyName)).toEqual(['adams', 'Baker', 'Carter']);
    const descending = json(await gateway.scim('get', '/scim/v2/Users?sortBy=name.familyName&sortOrder=descending&filter=' + encodeURIComponent('userName sw "s-"')));
    expect(descending.Resources.map((u: { name: { familyName: string } }) => u.name.familyName)).toEqual(['Carter', 'Baker', 'adams']);
  });

  it('pages with startIndex and count (RFC 7644 §3.4.2.4)', async () => {
    const page = json(await gateway.scim('get', '/scim/v2/Users?sortBy=userName&startIndex=2&count=1&filter=' + encodeURIComponent('userName sw "s-"')));
    expect(page).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1, Resources: [{ userName: 's-bob@contoso.com' }] });
    const countOnly = json(await gateway.scim('get', '/scim/v2/Users?count=0&filter=' + encodeURIComponent('userName sw "s-"')));
    expect(countOnly).toMatchObject({ totalResults: 3, Resources: [] });
  });

  it('answers POST /Users/.search like the query form', async () => {
    const response = await gateway.scim('post', '/scim/v2/Users/.search', {
      schemas: [SEARCH],
      filter: 'userName eq "s-ann@contoso.com"',
      attributes: ['userName'],
    });
    expect(response.status).toBe(200);
    expect(json(response)).toMatchObject({ totalResults: 1, Resources: [{ userName: 's-ann@contoso.com' }] });
    expect(json(response).Resources[0].name).toBeUndefined();
  });

  it('searches users and groups together at the root', async () => {
    const response = await gateway.scim('post', '/scim/v2/.search', { schemas: [SEARCH], filter: 'meta.resourceType eq "Group" or userName sw "s-"', count: 10 });
    expect(response.status).toBe(200);
    const body = json(response);
    expect(body.totalResults).toBe(4);
    expect(body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType)).toEqual(['User', 'User', 'User', 'Group']);
    const second = json(await gateway.scim('post', '/scim/v2/.search', { schemas: [SEARCH], filter: 'meta.resourceType eq "Group" or userName sw "s-"', startIndex: 4, count: 1 }));
    expect(second.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType)).toEqual(['Group']);
  });

  it('rejects a SearchRequest without its schema, and a bad sortOrder', async () => {
    expect((await gateway.scim('post', '/scim/v2/Users/.search', { filter: 'userName eq "x"' })).status).toBe(400);
    const badOrder = await gateway.scim('get', '/scim/v2/Users?sortBy=userName&sortOrder=sideways');
    expect(badOrder.status).toBe(400);
    expect(json(badOrder)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/sortOrder/) });
  });

  it('answers If-None-Match with the current version with 304, and a stale one with the resource', async () => {
    const user = json(await gateway.scim('post', '/scim/v2/Users', entraUser('etag@contoso.com')));
    const notModified = await gateway.scim('get', `/scim/v2/Users/${user.id}`).set('If-None-Match', user.meta.version);
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    const stale = await gateway.scim('get', `/scim/v2/Users/${user.id}`).set('If-None-Match', 'W/"41"');
    expect(stale.status).toBe(200);
  });
});
