import request from 'supertest';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const INTERACT = 'urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:User';

/** RFC 7644 §4 discovery, with a custom extension schema registered by configuration (the seeds' Interact case). */
describe('discovery endpoints', () => {
  let gateway: TestGateway;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scim-ext-'));
    const file = path.join(dir, 'extensions.json');
    await writeFile(
      file,
      JSON.stringify([
        { resourceType: 'User', schema: { id: INTERACT, name: 'Interact', attributes: [{ name: 'companyName', type: 'string' }, { name: 'isManager', type: 'boolean' }] } },
      ]),
    );
    gateway = await startTestGateway({ SCIM_EXTENSIONS_FILE: file });
  });
  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a truthful ServiceProviderConfig', async () => {
    const response = await gateway.scim('get', '/scim/v2/ServiceProviderConfig');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
    });
  });

  it('keeps /ServiceProviderConfig to its core schema: strict clients (scim2-models) refuse any other attribute', async () => {
    const config = JSON.parse((await gateway.scim('get', '/scim/v2/ServiceProviderConfig')).text);
    expect(config.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    const core = ['schemas', 'documentationUri', 'patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag', 'authenticationSchemes', 'meta'];
    expect(Object.keys(config).filter((key) => !core.includes(key))).toEqual([]);
  });

  it('serves every input limit (docs/operations.md "Limits") at GET /limits, without a token', async () => {
    const response = await request(gateway.app.getHttpServer()).get('/limits');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      maxResults: 1000,
      bulkMaxOperations: 1000,
      maxPayloadSize: 1048576,
      filterMaxLength: 4096,
      filterMaxComparisons: 50,
      filterMaxDepth: 16,
      filterMaxAttributePaths: 20,
      attributesMaxEntries: 100,
      attributesMaxLength: 4096,
      patchMaxOperations: 1000,
      jsonMaxDepth: 32,
      jsonMaxStringLength: 16384,
      indexedValueMaxBytes: 768,
    });
  });

  it('lists the User schemas including the configured extension, and each by id', async () => {
    const list = JSON.parse((await gateway.scim('get', '/scim/v2/Schemas')).text);
    const ids = list.Resources.map((schema: { id: string }) => schema.id);
    expect(ids).toEqual(expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', INTERACT]));
    expect(list.totalResults).toBe(ids.length);
    const one = await gateway.scim('get', `/scim/v2/Schemas/${INTERACT}`);
    expect(one.status).toBe(200);
    expect(JSON.parse(one.text).attributes.map((a: { name: string }) => a.name)).toEqual(['companyName', 'isManager']);
    expect((await gateway.scim('get', '/scim/v2/Schemas/urn:nope')).status).toBe(404);
  });

  it('lists only the resource types it serves, with their extensions', async () => {
    const list = JSON.parse((await gateway.scim('get', '/scim/v2/ResourceTypes')).text);
    expect(list.Resources.map((type: { name: string }) => type.name)).toEqual(['User', 'Group']);
    expect(list.Resources[0].schemaExtensions).toEqual(expect.arrayContaining([{ schema: INTERACT, required: false }]));
    expect((await gateway.scim('get', '/scim/v2/ResourceTypes/user')).status).toBe(200);
  });

  it('validates the custom extension like a built-in one: Entra sends it without its URN in schemas', async () => {
    const created = await gateway.scim('post', '/scim/v2/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'interact@contoso.com',
      [`${INTERACT}:companyName`]: 'Contoso',
      [INTERACT]: { isManager: 'True' },
    });
    expect(created.status).toBe(201);
    const body = JSON.parse(created.text);
    expect(body[INTERACT]).toEqual({ companyName: 'Contoso', isManager: true });
    expect(body.schemas).toContain(INTERACT);
    const wrongType = await gateway.scim('post', '/scim/v2/Users', {
      userName: 'interact2@contoso.com',
      [INTERACT]: { isManager: 'maybe' },
    });
    expect(wrongType.status).toBe(400);
    expect(JSON.parse(wrongType.text)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/isManager/) });
  });

  it('refuses to start with a broken extensions file, naming the variable', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{not json');
    await expect(startTestGateway({ SCIM_EXTENSIONS_FILE: file })).rejects.toThrow(/SCIM_EXTENSIONS_FILE/);
  });
});
