import { START } from '#event-store/event-store.port.js';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Issue 7 "Dry-run": every SCIM URL under /scim/v2/dry-run/..., decided in full, nothing stored or published. */
describe('/scim/v2/dry-run', () => {
  let gateway: TestGateway;
  const json = (response: { text: string }) => JSON.parse(response.text);
  /** Every event the store holds, to prove a dry run added none. */
  const allEvents = () => gateway.runtime.eventStore.readAll({ after: START, maxCount: 100_000 });
  const userNamed = async (userName: string) =>
    json(await gateway.scim('get', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`));

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('POST /Users answers 201 with the resource the live request would create, and stores nothing', async () => {
    const before = (await allEvents()).length;
    const dry = await gateway.scim('post', '/scim/v2/dry-run/Users', entraUser('dry@contoso.com'));
    expect(dry.status).toBe(201);
    expect(dry.headers['x-scim-dry-run']).toBe('true');
    expect(json(dry)).toMatchObject({ userName: 'dry@contoso.com', active: true, meta: { resourceType: 'User', version: 'W/"0"' } });
    expect(dry.headers.location).toMatch(/\/scim\/v2\/Users\/[0-9a-f-]{36}$/);

    expect((await userNamed('dry@contoso.com')).totalResults).toBe(0);
    expect((await gateway.scim('get', new URL(dry.headers.location).pathname)).status).toBe(404);
    expect((await allEvents()).length).toBe(before);

    // The live request gives the same body apart from the id and the times.
    const live = await gateway.scim('post', '/scim/v2/Users', entraUser('dry@contoso.com'));
    expect(live.status).toBe(201);
    const strip = ({ id: _id, meta: { created: _c, lastModified: _l, location: _loc, ...meta }, ...rest }: Record<string, any>) => ({ ...rest, meta });
    expect(strip(json(dry))).toEqual(strip(json(live)));
  });

  it('refuses exactly what the live request would refuse (uniqueness, validation), with the same error', async () => {
    await gateway.scim('post', '/scim/v2/Users', entraUser('taken@contoso.com')).expect(201);
    const dryConflict = await gateway.scim('post', '/scim/v2/dry-run/Users', entraUser('TAKEN@contoso.com', 'other-ext'));
    const liveConflict = await gateway.scim('post', '/scim/v2/Users', entraUser('TAKEN@contoso.com', 'other-ext'));
    expect(dryConflict.status).toBe(409);
    expect(json(dryConflict)).toEqual(json(liveConflict));

    const invalid = { ...entraUser('bad@contoso.com'), active: 'yes please' };
    const dryInvalid = await gateway.scim('post', '/scim/v2/dry-run/Users', invalid);
    const liveInvalid = await gateway.scim('post', '/scim/v2/Users', invalid);
    expect(dryInvalid.status).toBe(400);
    expect(json(dryInvalid)).toEqual(json(liveInvalid));
  });

  it('PATCH, PUT and DELETE of a real user answer as if applied and leave it untouched', async () => {
    const created = json(await gateway.scim('post', '/scim/v2/Users', entraUser('keep@contoso.com')).expect(201));
    const path = `/scim/v2/Users/${created.id}`;
    const before = (await allEvents()).length;

    const patched = await gateway.scim('patch', `/scim/v2/dry-run/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(patched.status).toBe(200);
    expect(json(patched)).toMatchObject({ id: created.id, active: false, meta: { version: 'W/"1"' } });

    const replaced = await gateway.scim('put', `/scim/v2/dry-run/Users/${created.id}`, { ...entraUser('renamed@contoso.com'), id: created.id });
    expect(replaced.status).toBe(200);
    expect(json(replaced).userName).toBe('renamed@contoso.com');

    expect((await gateway.scim('delete', `/scim/v2/dry-run/Users/${created.id}`)).status).toBe(204);
    expect((await gateway.scim('delete', `/scim/v2/dry-run/Users/not-a-user`)).status).toBe(404);

    const now = json(await gateway.scim('get', path).expect(200));
    expect(now).toMatchObject({ userName: 'keep@contoso.com', active: true, meta: { version: 'W/"0"' } });
    expect((await userNamed('renamed@contoso.com')).totalResults).toBe(0);
    expect((await allEvents()).length).toBe(before);
  });

  it('a dry-run Bulk sees its own earlier operations (bulkId references), and stores none of them', async () => {
    const before = (await allEvents()).length;
    const response = await gateway.scim('post', '/scim/v2/dry-run/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u', data: entraUser('bulk-dry@contoso.com') },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Dry Group', members: [{ value: 'bulkId:u' }] } },
        { method: 'PATCH', path: '/Users/bulkId:u', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: entraUser('bulk-dry@contoso.com', 'another-ext') },
      ],
    });
    expect(response.status).toBe(200);
    expect(json(response).Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '200', '409']);
    expect((await allEvents()).length).toBe(before);
    expect((await userNamed('bulk-dry@contoso.com')).totalResults).toBe(0);
  });

  it('reads work under the dry-run prefix too, and the live URLs never carry the dry-run header', async () => {
    const list = await gateway.scim('get', '/scim/v2/dry-run/Users?count=1');
    expect(list.status).toBe(200);
    expect(json(list).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    expect((await gateway.scim('get', '/scim/v2/dry-run/ServiceProviderConfig')).status).toBe(200);
    expect((await gateway.scim('get', '/scim/v2/Users?count=1')).headers['x-scim-dry-run']).toBeUndefined();
    expect((await gateway.as('wrong-token-0123456789', 'get', '/scim/v2/dry-run/Users')).status).toBe(401);
  });
});
