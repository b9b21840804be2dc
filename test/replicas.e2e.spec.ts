import { randomUUID } from 'node:crypto';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

// Two gateway replicas on one PostgreSQL server (the distributed topology): each keeps its own cache of folded
// stream states and decides on it first (docs/decisions.md "Decide on the cached state first"), so each often
// decides on a state the other has already changed. Every such write must still be right: the store refuses the
// stale guess and the command runs again on fresh reads. Needs DATABASE_URL (CI's server).
const databaseUrl = process.env.DATABASE_URL;
const describeWithServer = databaseUrl ? describe : describe.skip;

describeWithServer('two gateway replicas on one PostgreSQL server', () => {
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    first = await startTestGateway({ DATABASE_URL: databaseUrl! });
    // The second runs no projections (as a replica behind a load balancer): it waits for the first's read model.
    second = await startTestGateway({ DATABASE_URL: databaseUrl!, PROJECTIONS: 'external' });
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  const patch = (operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
  const filterByUserName = (userName: string) => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

  it('a change made through one replica is never lost by a write through the other that decided on a stale cache', async () => {
    const userName = `replica.${randomUUID()}@contoso.com`;
    const created = await first.scim('post', '/scim/v2/Users', entraUser(userName));
    expect(created.status).toBe(201);
    const id = JSON.parse(created.text).id as string;

    // The second replica has never seen the user: it guesses "no such user", the decider refuses, it reads.
    const renamedDisplay = await second.scim('patch', `/scim/v2/Users/${id}`, patch([{ op: 'replace', path: 'displayName', value: 'From Second' }]));
    expect(renamedDisplay.status).toBe(200);
    expect(renamedDisplay.headers['etag']).toBe('W/"1"');

    // The first still caches revision 0: its append is refused, and it decides again on revision 1.
    const titled = await first.scim('patch', `/scim/v2/Users/${id}`, patch([{ op: 'replace', path: 'title', value: 'From First' }]));
    expect(titled.status).toBe(200);
    expect(titled.headers['etag']).toBe('W/"2"');
    expect(JSON.parse(titled.text)).toMatchObject({ displayName: 'From Second', title: 'From First' });

    for (const replica of [first, second]) {
      const read = await replica.scim('get', `/scim/v2/Users/${id}`);
      expect(read.status).toBe(200);
      expect(JSON.parse(read.text)).toMatchObject({ displayName: 'From Second', title: 'From First', meta: { version: 'W/"2"' } });
    }
  });

  it('uniqueness holds across replicas whatever each one cached about a userName', async () => {
    const oldName = `old.${randomUUID()}@contoso.com`;
    const newName = `new.${randomUUID()}@contoso.com`;
    const created = await first.scim('post', '/scim/v2/Users', entraUser(oldName));
    expect(created.status).toBe(201);
    const id = JSON.parse(created.text).id as string;

    // Renamed through the second replica: the first still caches oldName as taken and newName as unknown.
    const renamed = await second.scim('patch', `/scim/v2/Users/${id}`, patch([{ op: 'replace', path: 'userName', value: newName }]));
    expect(renamed.status).toBe(200);

    // newName is taken: the first's guess "nobody holds it" is refused by the store, then the read says 409.
    const clash = await first.scim('post', '/scim/v2/Users', entraUser(newName.toUpperCase(), `ext-${randomUUID()}`));
    expect(clash.status).toBe(409);
    expect(JSON.parse(clash.text)).toMatchObject({ scimType: 'uniqueness' });

    // oldName was released: the first's cache says it is taken, which its fresh read corrects.
    const reused = await first.scim('post', '/scim/v2/Users', entraUser(oldName, `ext-${randomUUID()}`));
    expect(reused.status).toBe(201);
    const reusedId = JSON.parse(reused.text).id as string;
    expect(reusedId).not.toBe(id);

    for (const replica of [first, second]) {
      expect(JSON.parse((await replica.scim('get', filterByUserName(oldName))).text)).toMatchObject({ totalResults: 1, Resources: [{ id: reusedId }] });
      expect(JSON.parse((await replica.scim('get', filterByUserName(newName))).text)).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    }
  });
});
