import { entraUser, gatewayBackends, startTestGateway, type TestGateway } from './support/test-gateway.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * The enterprise `employeeNumber` is an indexed column of the read model (libs/read-model/src/user-columns.ts,
 * migration 1765100001000): filters on it through SCIM answer as the RFC says (caseExact=false), before and after
 * the value changes. filter-sql.index.int.spec.ts shows the plan uses its index.
 */
describe.each(gatewayBackends())('filtering users by employeeNumber (%s)', (_backend, env) => {
  let gateway: TestGateway;
  const json = (response: { text: string }) => JSON.parse(response.text);
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const userName = (name: string) => `en-${name}-${run}@contoso.com`;
  const search = async (filter: string): Promise<string[]> => {
    const response = await gateway.scim('get', `/scim/v2/Users?sortBy=userName&filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(200);
    return json(response).Resources.map((user: { userName: string }) => user.userName);
  };
  const ids = new Map<string, string>();

  beforeAll(async () => {
    gateway = await startTestGateway(env);
    for (const [name, employeeNumber] of [['ann', `EN-${run}-0042`], ['bob', `en-${run}-0043`], ['cid', undefined]] as const) {
      const user = { ...entraUser(userName(name)), ...(employeeNumber ? { [ENTERPRISE]: { employeeNumber } } : {}) };
      const response = await gateway.scim('post', '/scim/v2/Users', user);
      expect(response.status).toBe(201);
      ids.set(name, json(response).id);
    }
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it('eq matches case-insensitively, unqualified or URN-qualified', async () => {
    expect(await search(`employeeNumber eq "en-${run}-0042"`)).toEqual([userName('ann')]);
    expect(await search(`${ENTERPRISE}:employeeNumber eq "EN-${run}-0043"`)).toEqual([userName('bob')]);
    expect(await search(`employeeNumber eq "en-${run}-0044"`)).toEqual([]);
  });

  it('sw and pr', async () => {
    expect(await search(`employeeNumber sw "EN-${run}-004"`)).toEqual([userName('ann'), userName('bob')]);
    expect(await search(`employeeNumber pr and userName ew "-${run}@contoso.com"`)).toEqual([userName('ann'), userName('bob')]);
    expect(await search(`not (employeeNumber pr) and userName ew "-${run}@contoso.com"`)).toEqual([userName('cid')]);
  });

  it("follows Entra's path-less replace with a dotted key, and a removal", async () => {
    const replace = {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { [`${ENTERPRISE}:employeeNumber`]: `EN-${run}-0099` } }],
    };
    expect((await gateway.scim('patch', `/scim/v2/Users/${ids.get('cid')}`, replace)).status).toBe(200);
    expect(await search(`employeeNumber eq "en-${run}-0099"`)).toEqual([userName('cid')]);

    const remove = { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${ENTERPRISE}:employeeNumber` }] };
    expect((await gateway.scim('patch', `/scim/v2/Users/${ids.get('ann')}`, remove)).status).toBe(200);
    expect(await search(`employeeNumber eq "en-${run}-0042"`)).toEqual([]);
    expect(await search(`employeeNumber pr and userName ew "-${run}@contoso.com"`)).toEqual([userName('bob'), userName('cid')]);
  });
});
