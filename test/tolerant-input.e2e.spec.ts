import { randomBytes } from 'node:crypto';
import { CORE_USER, ENTERPRISE_USER, startTestGateway, type TestGateway } from './support/test-gateway.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCIM_1_CORE = 'urn:scim:schemas:core:1.0';

/**
 * Tolerant reading, exact writing (issue 13 item 3, docs/conformance.md "Tolerances"): each shape a client other
 * than Entra sends, through HTTP, and what the gateway answers and stores is RFC 7643/7644 only.
 */
describe.each(backends())('tolerant input over HTTP on %s', (_name, env) => {
  let gateway: TestGateway;
  let ignoring: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway(env);
    ignoring = await startTestGateway({ ...env, SCIM_UNKNOWN_ATTRIBUTES: 'ignore' });
  });
  afterAll(async () => {
    await gateway?.close();
    await ignoring?.close();
  });

  // A PostgreSQL server keeps other runs' rows: every name is this run's own.
  const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;
  const createUser = async (on: TestGateway = gateway, extra: Record<string, unknown> = {}) => {
    const response = await on.scim('post', '/scim/v2/Users', { schemas: [CORE_USER], userName: unique('tolerant') + '@example.com', active: true, ...extra });
    expect(response.status).toBe(201);
    return JSON.parse(response.text) as { id: string; [key: string]: unknown };
  };
  const createGroup = async () => {
    const response = await gateway.scim('post', '/scim/v2/Groups', { schemas: [CORE_GROUP], displayName: unique('Test SCIMv2'), members: [] });
    expect(response.status).toBe(201);
    return JSON.parse(response.text) as { id: string; displayName: string };
  };
  const patch = (resource: 'Users' | 'Groups', id: string, operations: unknown[], on: TestGateway = gateway) =>
    on.scim('patch', `/scim/v2/${resource}/${id}`, { schemas: [PATCH_OP], Operations: operations });
  const read = async (resource: 'Users' | 'Groups', id: string, on: TestGateway = gateway) =>
    JSON.parse((await on.scim('get', `/scim/v2/${resource}/${id}`)).text) as Record<string, any>;

  it('Okta: deactivates with a path-less replace {"active": false} (Okta developer docs, SCIM 2.0 "Update a specific User (PATCH)"; RFC 7644 §3.5.2.3)', async () => {
    const user = await createUser();
    const response = await patch('Users', user.id, [{ op: 'replace', value: { active: false } }]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).active).toBe(false);
    expect((await read('Users', user.id)).active).toBe(false);
  });

  it('Okta: a path-less group replace {"id","displayName"} right after creating the group renames it (Okta developer docs, SCIM 2.0 "Update a specific Group name"; RFC 7643 §2.2)', async () => {
    const group = await createGroup();
    const renamed = unique('Renamed');
    const response = await patch('Groups', group.id, [{ op: 'replace', value: { id: group.id, displayName: renamed } }]);
    expect([200, 204]).toContain(response.status);
    expect(await read('Groups', group.id)).toMatchObject({ id: group.id, displayName: renamed, schemas: [CORE_GROUP] });
  });

  it('Authentik: readOnly id, meta and groups inside a path-less value are ignored (goauthentik/authentik providers/scim/clients/groups.py; RFC 7644 §3.5.1)', async () => {
    const user = await createUser();
    const response = await patch('Users', user.id, [
      { op: 'replace', value: { schemas: [CORE_USER], id: 'someone-else', meta: { version: 'W/"99"' }, groups: [{ value: 'g' }], displayName: 'Babs' } },
    ]);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(body).toMatchObject({ id: user.id, displayName: 'Babs', meta: { version: 'W/"1"' } });
    expect(body.groups ?? []).toEqual([]);
  });

  it('an explicit path to a readOnly attribute stays 400 mutability (RFC 7644 §3.5.2)', async () => {
    const user = await createUser();
    const response = await patch('Users', user.id, [{ op: 'replace', path: 'id', value: 'x' }]);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ scimType: 'mutability', detail: "attribute 'id' is readOnly and cannot be modified (RFC 7643 §2.2)" });
  });

  it.each(['add', 'replace'])(
    'scim2-tester: %s with the enterprise URN as path and a value carrying its own schemas (python-scim/scim2-tester checkers/patch_add.py; RFC 7644 §3.5.2)',
    async (op) => {
      const user = await createUser();
      const value = { schemas: [ENTERPRISE_USER], employeeNumber: '701984', manager: { value: user.id, displayName: 'readOnly' } };
      const response = await patch('Users', user.id, [{ op, path: ENTERPRISE_USER, value }]);
      expect(response.status).toBe(200);
      const body = JSON.parse(response.text);
      expect(body.schemas).toEqual([CORE_USER, ENTERPRISE_USER]);
      expect(body[ENTERPRISE_USER]).toMatchObject({ employeeNumber: '701984', manager: { value: user.id } });
      expect(body[ENTERPRISE_USER].schemas).toBeUndefined();
    },
  );

  it('Keycloak SCIM plugin: a path-less value given as a JSON-encoded string (Captain-P-Goldfish/scim-for-keycloak#133; RFC 7644 §3.5.2.3)', async () => {
    const user = await createUser();
    const deactivated = await patch('Users', user.id, [{ op: 'replace', value: '{"active":false}' }]);
    expect(deactivated.status).toBe(200);
    expect(JSON.parse(deactivated.text).active).toBe(false);

    const group = await createGroup();
    const renamed = unique('EPD');
    const response = await patch('Groups', group.id, [{ op: 'replace', value: JSON.stringify({ schemas: [CORE_GROUP], displayName: renamed }) }]);
    expect([200, 204]).toContain(response.status);
    expect((await read('Groups', group.id)).displayName).toBe(renamed);
  });

  it('Keycloak SCIM plugin: a string that encodes no object is still 400 invalidValue, and an encoded object is held to the JSON limits', async () => {
    const user = await createUser();
    const notAnObject = await patch('Users', user.id, [{ op: 'replace', value: '[{"active":false}]' }]);
    expect(notAnObject.status).toBe(400);
    expect(JSON.parse(notAnObject.text)).toMatchObject({ scimType: 'invalidValue' });

    const deep = '{"a":'.repeat(60) + '1' + '}'.repeat(60);
    const tooDeep = await patch('Users', user.id, [{ op: 'replace', value: deep }]);
    expect(tooDeep.status).toBe(400);
    expect(JSON.parse(tooDeep.text)).toMatchObject({
      scimType: 'invalidSyntax',
      detail: expect.stringMatching(/ in Operations\[0\]\.value \(decoded from its JSON-encoded string\) is nested 33 levels deep \(objects and arrays\); at most 32 are allowed$/),
    });
    expect((await read('Users', user.id)).meta.version).toBe('W/"0"');
  });

  it('JumpCloud: a repeated add changes nothing, not even the version (Infisical/infisical#2138; RFC 7644 §3.5.2.1)', async () => {
    const user = await createUser();
    const add = [{ op: 'add', path: 'emails', value: [{ value: 'babs@example.com', type: 'work', primary: true }] }, { op: 'add', value: { title: 'Guide' } }];
    const first = await patch('Users', user.id, add);
    expect(first.status).toBe(200);
    const second = await patch('Users', user.id, add);
    expect(second.status).toBe(200);
    const body = JSON.parse(second.text);
    expect(body.emails).toEqual([{ value: 'babs@example.com', type: 'work', primary: true }]);
    expect(body.meta.version).toBe(JSON.parse(first.text).meta.version);
  });

  it('Google Workspace: the SCIM 1.0 core URN beside 2.0 on POST is accepted; the response carries 2.0 URNs only (issue 13; RFC 7643 §3)', async () => {
    const response = await gateway.scim('post', '/scim/v2/Users', { schemas: [SCIM_1_CORE, CORE_USER], userName: unique('google') + '@example.com', name: { givenName: 'G' } });
    expect(response.status).toBe(201);
    const body = JSON.parse(response.text);
    expect(body.schemas).toEqual([CORE_USER]);
    expect((await read('Users', body.id)).schemas).toEqual([CORE_USER]);
  });

  it('Okta: a full PUT echoing id, meta and groups ignores them (Okta developer docs, SCIM 2.0 "Update a specific User (PUT)"; RFC 7644 §3.5.1)', async () => {
    const user = await createUser();
    const replacement = { ...user, active: false, groups: [{ value: 'g1', display: 'Group 1' }], meta: { ...(user.meta as object), version: 'W/"42"' } };
    const response = await gateway.scim('put', `/scim/v2/Users/${user.id}`, replacement);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ id: user.id, active: false, meta: { version: 'W/"1"' } });
  });

  describe('SCIM_UNKNOWN_ATTRIBUTES applies to PATCH as to POST and PUT', () => {
    const operations = [
      { op: 'add', path: 'shoeSize', value: 42 },
      { op: 'replace', value: { nickName: 'Babs', hat: 'x', name: { givenName: 'Barbara', middle: 'J' } } },
    ];

    it('ignore: the unknown attributes are dropped, the known ones applied, nothing unknown stored or answered', async () => {
      const user = await createUser(ignoring, { shoeSize: 41 });
      expect(user.shoeSize).toBeUndefined();
      const response = await patch('Users', user.id, operations, ignoring);
      expect(response.status).toBe(200);
      const body = JSON.parse(response.text);
      expect(body).toMatchObject({ nickName: 'Babs', name: { givenName: 'Barbara' } });
      expect([body.shoeSize, body.hat, body.name.middle]).toEqual([undefined, undefined, undefined]);
      expect(await read('Users', user.id, ignoring)).toEqual(body);
    });

    it('ignore: a group PATCH drops the unknown attributes too and applies the known ones', async () => {
      const created = await ignoring.scim('post', '/scim/v2/Groups', { schemas: [CORE_GROUP], displayName: unique('ignoring') });
      expect(created.status).toBe(201);
      const group = JSON.parse(created.text) as { id: string };
      const renamed = unique('renamed');
      const response = await patch('Groups', group.id, [{ op: 'add', path: 'shoeSize', value: 42 }, { op: 'replace', value: { displayName: renamed, hat: 'x' } }], ignoring);
      expect(response.status).toBe(204);
      const stored = await read('Groups', group.id, ignoring);
      expect(stored.displayName).toBe(renamed);
      expect([stored.shoeSize, stored.hat]).toEqual([undefined, undefined]);
    });

    it('reject: a group PATCH naming an unknown attribute is 400 and changes nothing', async () => {
      const group = await createGroup();
      const response = await patch('Groups', group.id, [{ op: 'add', path: 'shoeSize', value: 42 }]);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ scimType: 'invalidPath' });
      expect((await read('Groups', group.id)).meta.version).toBe('W/"0"');
    });

    it('reject (the default): 400 naming the unknown attribute, and nothing applied', async () => {
      const user = await createUser();
      const response = await patch('Users', user.id, operations);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ scimType: 'invalidPath', detail: "'shoeSize' names no attribute of User" });
      expect((await read('Users', user.id)).meta.version).toBe('W/"0"');
    });
  });
});

function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['embedded PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}
