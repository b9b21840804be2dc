import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAdminCli } from '../apps/admin/src/admin.main.js';
import { hashToken } from '../apps/gateway/src/tenancy/token.service.js';
import { entraUser, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from './support/test-gateway.js';

const BADGE = 'urn:example:params:scim:schemas:extension:badge:2.0:User';
const SCHEMAS_OF = (tenant: string) => `/admin/v1/tenants/${tenant}/schemas`;
const OTHER_TOKEN = 'other-tenant-token-0123456789abcdef';

const badgeSchema = (required = false) => ({
  resourceType: 'User',
  required,
  schema: {
    id: BADGE,
    name: 'Badge',
    description: 'Door badge of the user',
    attributes: [{ name: 'badgeNumber', type: 'string', caseExact: true }, { name: 'floor', type: 'integer' }],
  },
});

/** Issue 7 "Custom extension schemas per tenant, managed through the admin API, served by /Schemas, enforced by validation". */
describe('per-tenant extension schemas', () => {
  let gateway: TestGateway;
  const json = (response: { text: string }) => JSON.parse(response.text);
  const served = async (token: string | null) => {
    const response = token ? await gateway.as(token, 'get', '/scim/v2/Schemas') : await gateway.scim('get', '/scim/v2/Schemas');
    return json(response).Resources.map((schema: { id: string }) => schema.id);
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    // A second tenant with a token of its own, made the way the admin API stores them.
    await gateway.runtime.dataSource.query(`INSERT INTO tenants (id, status, created_at) VALUES ('other', 'active', now())`);
    await gateway.runtime.dataSource.query(
      `INSERT INTO scim_tokens (id, tenant_id, token_hash, label, created_at) VALUES (gen_random_uuid(), 'other', $1, 'test', now())`,
      [hashToken(OTHER_TOKEN)],
    );
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('a schema added for one tenant is served by its /Schemas and /ResourceTypes, and by no other tenant\'s', async () => {
    const put = await gateway.admin('put', SCHEMAS_OF('default'), badgeSchema());
    expect(put.status).toBe(200);
    expect(json(put)).toMatchObject({ tenantId: 'default', resourceType: 'User', required: false, schema: { id: BADGE } });

    expect(await served(null)).toContain(BADGE);
    const userType = json(await gateway.scim('get', '/scim/v2/ResourceTypes/User'));
    expect(userType.schemaExtensions).toContainEqual({ schema: BADGE, required: false });
    const badge = json(await gateway.scim('get', `/scim/v2/Schemas/${BADGE}`));
    expect(badge.attributes.map((a: { name: string; type: string }) => [a.name, a.type])).toEqual([
      ['badgeNumber', 'string'],
      ['floor', 'integer'],
    ]);

    expect(await served(OTHER_TOKEN)).not.toContain(BADGE);
    expect((await gateway.as(OTHER_TOKEN, 'get', `/scim/v2/Schemas/${BADGE}`)).status).toBe(404);
    expect(json(await gateway.admin('get', SCHEMAS_OF('default'))).schemas.map((s: { schema: { id: string } }) => s.schema.id)).toEqual([BADGE]);
    expect(json(await gateway.admin('get', SCHEMAS_OF('other'))).schemas).toEqual([]);
  });

  it('validates, stores, returns and filters the tenant\'s extension attributes; other tenants reject them', async () => {
    const created = await gateway.scim('post', '/scim/v2/Users', { ...entraUser('badge@contoso.com'), [BADGE]: { badgeNumber: 'B-42', floor: 3 } });
    expect(created.status).toBe(201);
    expect(json(created)[BADGE]).toEqual({ badgeNumber: 'B-42', floor: 3 });

    const filtered = json(await gateway.scim('get', `/scim/v2/Users?filter=${encodeURIComponent(`${BADGE}:badgeNumber eq "B-42"`)}`));
    expect(filtered.totalResults).toBe(1);
    expect(filtered.Resources[0].userName).toBe('badge@contoso.com');

    const wrongType = await gateway.scim('post', '/scim/v2/Users', { ...entraUser('badge2@contoso.com'), [BADGE]: { floor: 'third' } });
    expect(wrongType.status).toBe(400);
    expect(json(wrongType)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/floor/) });

    const elsewhere = await gateway.as(OTHER_TOKEN, 'post', '/scim/v2/Users', { ...entraUser('badge@contoso.com'), [BADGE]: { badgeNumber: 'B-42' } });
    expect(elsewhere.status).toBe(400);
    expect(json(elsewhere).detail).toContain(BADGE);
  });

  it('a required extension is enforced on create', async () => {
    await gateway.admin('put', SCHEMAS_OF('default'), badgeSchema(true)).expect(200);
    const missing = await gateway.scim('post', '/scim/v2/Users', entraUser('no-badge@contoso.com'));
    expect(missing.status).toBe(400);
    expect(json(missing).detail).toContain(BADGE);
    await gateway.admin('put', SCHEMAS_OF('default'), badgeSchema(false)).expect(200);
    expect((await gateway.scim('post', '/scim/v2/Users', entraUser('no-badge@contoso.com'))).status).toBe(201);
  });

  it('refuses bad schemas with a clear error, and unknown tenants with 404', async () => {
    const noUrn = await gateway.admin('put', SCHEMAS_OF('default'), { resourceType: 'User', schema: { id: 'badge', attributes: [] } });
    expect(noUrn.status).toBe(400);
    expect(json(noUrn)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/schema\.id must be a URN/) });

    const builtIn = await gateway.admin('put', SCHEMAS_OF('default'), {
      resourceType: 'User',
      schema: { id: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attributes: [] },
    });
    expect(builtIn.status).toBe(409);

    const badAttribute = await gateway.admin('put', SCHEMAS_OF('default'), {
      resourceType: 'Group',
      schema: { id: 'urn:example:group:2.0:Group', attributes: [{ name: 'x', type: 'colour' }] },
    });
    expect(badAttribute.status).toBe(400);

    expect((await gateway.admin('get', SCHEMAS_OF('nobody'))).status).toBe(404);
    expect((await gateway.admin('put', SCHEMAS_OF('nobody'), badgeSchema())).status).toBe(404);
  });

  it('the admin routes need the admin token; a SCIM token does not open them', async () => {
    expect((await gateway.scim('get', SCHEMAS_OF('default'))).status).toBe(401);
    expect((await gateway.as('not-a-token-at-all-1234', 'get', SCHEMAS_OF('default'))).status).toBe(401);
  });

  it('deleting a schema stops serving it', async () => {
    expect((await gateway.admin('delete', `${SCHEMAS_OF('default')}/User/${BADGE}`)).status).toBe(204);
    expect(await served(null)).not.toContain(BADGE);
    expect((await gateway.admin('delete', `${SCHEMAS_OF('default')}/User/${BADGE}`)).status).toBe(404);
  });
});

describe('npm run admin -- schemas ...', () => {
  let gateway: TestGateway;
  let env: Record<string, string>;
  const lines: string[] = [];
  const output = { out: (text: string) => void lines.push(text), write: () => undefined };

  beforeAll(async () => {
    gateway = await startTestGateway();
    env = { ADMIN_URL: await gateway.listen(), ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('puts, lists and deletes a schema from a file, and reports refusals with exit code 1', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'schemas-')), 'badge.json');
    await writeFile(file, JSON.stringify(badgeSchema()));

    expect(await runAdminCli(['schemas', 'put', 'default', '--file', file], env, output)).toBe(0);
    expect(lines.pop()).toBe(`tenant default now serves User extension ${BADGE}`);
    expect(await runAdminCli(['schemas', 'list', 'default'], env, output)).toBe(0);
    expect(lines.pop()).toMatch(new RegExp(`^User +${BADGE}  2 attribute\\(s\\)`));

    expect(await runAdminCli(['schemas', 'list', 'nobody'], env, output)).toBe(1);
    expect(lines.pop()).toMatch(/^refused \(404\): tenant "nobody" not found/);
    expect(await runAdminCli(['schemas', 'put', 'default'], env, output)).toBe(2);
    expect(lines.pop()).toMatch(/--file is required/);

    expect(await runAdminCli(['schemas', 'delete', 'default', 'User', BADGE], env, output)).toBe(0);
    expect(await runAdminCli(['schemas', 'list', 'default'], env, output)).toBe(0);
    expect(lines.pop()).toBe('tenant default has no schemas of its own');
    expect(await runAdminCli(['schemas', 'list', 'default'], { ...env, ADMIN_TOKEN: 'wrong-admin-token-123456' }, output)).toBe(1);
    expect(lines.pop()).toMatch(/^refused \(401\)/);
  });
});
