import request from 'supertest';
import { CORE_USER, ENTERPRISE_USER, gatewayBackends } from '../support/test-gateway.js';
import { GROUP, PATCH_OP, startClientReplay, type ClientReplay } from './client-replay.js';

const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const MANAGER = `${ENTERPRISE_USER}:manager`;

/**
 * Microsoft Entra's app-gallery validation: the 25 tests of AzureAD/SCIMReferenceCode,
 * Microsoft.SCIM.LogicAppValidationTemplate/StandardLogicApp/SCIM-Validation-Test-Overview.md, each replayed as the
 * requests it makes of the SCIM endpoint. Tests 1-14 drive Entra's provisioning engine, which sends the shapes of
 * ../shared/ENTRA.md (default form: capitalised ops, string booleans); tests 15-25 are the Logic App's direct calls,
 * whose bodies are in the same folder's SCIMTests_Workflow.json (named below by their action names).
 *
 * Not replayable here: test 21 (Validate_Credentials_Test) also fetches a token from the app's OAuth token endpoint,
 * and test 22 (Federated_Identity_Test) exchanges an Entra token for the app's; the gateway issues static bearer
 * tokens and has no token endpoint, so only their SCIM half (a call with the token) is asserted.
 */

/** Entra's default attribute mappings for a non-gallery SCIM app: the targets test 15 looks for in /Schemas. */
const MAPPED_USER_ATTRIBUTES = [
  'userName',
  'active',
  'displayName',
  'title',
  'emails[type eq "work"].value',
  'preferredLanguage',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'addresses[type eq "work"].formatted',
  'addresses[type eq "work"].streetAddress',
  'addresses[type eq "work"].locality',
  'addresses[type eq "work"].region',
  'addresses[type eq "work"].postalCode',
  'addresses[type eq "work"].country',
  'phoneNumbers[type eq "work"].value',
  'phoneNumbers[type eq "mobile"].value',
  'phoneNumbers[type eq "fax"].value',
  'externalId',
  `${ENTERPRISE_USER}:employeeNumber`,
  `${ENTERPRISE_USER}:department`,
  MANAGER,
];
const MAPPED_GROUP_ATTRIBUTES = ['displayName', 'externalId', 'members'];

interface SchemaAttribute {
  readonly name: string;
  readonly type: string;
  readonly multiValued?: boolean;
  readonly canonicalValues?: readonly string[];
  readonly subAttributes?: readonly SchemaAttribute[];
}

/**
 * SCIMTests_Workflow.json, Flatten_User_Attrs_Loop / Flatten_Group_Attrs_Loop: how the Logic App turns /Schemas into
 * the names it compares with the mappings (extension attributes prefixed with their schema URN).
 */
function flattenSchema(attributes: readonly SchemaAttribute[], prefix = ''): string[] {
  return attributes.flatMap((attribute) => {
    const name = `${prefix}${attribute.name}`;
    if (attribute.name === 'manager' || attribute.name === 'members') return [name];
    const subAttributes = attribute.subAttributes ?? [];
    if (attribute.type === 'complex' && attribute.multiValued) {
      const canonicalTypes = subAttributes.find((sub) => sub.name === 'type')?.canonicalValues ?? [];
      if (canonicalTypes.length > 0) {
        const filterable = subAttributes.filter((sub) => sub.name !== 'type' && sub.name !== 'primary');
        return canonicalTypes.flatMap((type) => filterable.map((sub) => `${name}[type eq "${type}"].${sub.name}`));
      }
      return subAttributes.filter((sub) => sub.name !== 'primary').map((sub) => `${name}[primary eq "True"].${sub.name}`);
    }
    if (attribute.type === 'complex') return subAttributes.filter((sub) => sub.type !== 'complex' && sub.type !== 'reference').map((sub) => `${name}.${sub.name}`);
    return attribute.type === 'reference' ? [] : [name];
  });
}

/** SCIMTests_Workflow.json, Compose_NullVerify_ActualValue: the value a target attribute has in a GET answer. */
function valueAt(resource: Record<string, any>, target: string): unknown {
  const filtered = /^(\w+)\[type eq "(\w+)"\]\.(\w+)$/.exec(target);
  if (filtered) return (resource[filtered[1]] as { type?: string }[] | undefined)?.find((item) => item.type?.toLowerCase() === filtered[2])?.[filtered[3] as 'type'];
  if (target.startsWith('urn:')) {
    const cut = target.lastIndexOf(':');
    return resource[target.slice(0, cut)]?.[target.slice(cut + 1)];
  }
  const [first, second] = target.split('.');
  return second === undefined ? resource[first] : resource[first]?.[second];
}
const isNullOrEmpty = (value: unknown) => value === undefined || value === null || value === '';

describe.each(gatewayBackends())("Entra's app-gallery validation on %s", (_backend, env) => {
  let entra: ClientReplay;
  const email = (name: string) => `${name}.${entra.tag}@contoso.com`;

  beforeAll(async () => {
    entra = await startClientReplay('entra-gallery', env);
  });
  afterAll(async () => {
    await entra?.close();
  });

  /** The engine's match-then-create (ENTRA.md "Per user in scope"), in the default form. */
  async function provisionUser(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    for (const expression of [`userName eq "${email(name)}"`, `externalId eq "ext-${name}-${entra.tag}"`]) {
      const match = await entra.filter('Users', expression);
      if (match.body.totalResults > 0) return match.body.Resources[0].id;
    }
    const created = await entra.send('post', '/scim/v2/Users', {
      schemas: [CORE_USER, ENTERPRISE_USER],
      externalId: `ext-${name}-${entra.tag}`,
      userName: email(name),
      active: true,
      emails: [{ primary: true, type: 'work', value: email(name) }],
      meta: { resourceType: 'User' },
      name: { formatted: `${name} Tester`, familyName: 'Tester', givenName: name },
      roles: [],
      ...extra,
    });
    return created.body.id;
  }
  const patchUser = (id: string, ...Operations: unknown[]) => entra.send('patch', `/scim/v2/Users/${id}`, { schemas: [PATCH_OP], Operations });
  const userById = async (id: string) => (await entra.send('get', `/scim/v2/Users/${id}`)).body;

  /** ENTRA.md "Groups": match by displayName without members, POST with no members. */
  async function provisionGroup(displayName: string): Promise<string> {
    const match = await entra.filter('Groups', `displayName eq "${displayName}"`, 'excludedAttributes=members&');
    if (match.body.totalResults > 0) return match.body.Resources[0].id;
    const created = await entra.send('post', '/scim/v2/Groups', {
      schemas: [GROUP, ADSCIM_GROUP],
      externalId: `grp-${displayName}`,
      displayName,
      meta: { resourceType: 'Group' },
    });
    return created.body.id;
  }
  const patchGroup = (id: string, ...Operations: unknown[]) => entra.send('patch', `/scim/v2/Groups/${id}`, { schemas: [PATCH_OP], Operations });

  // ---- User provisioning tests (UserTests_Workflow) ----

  it('1 Create_User_Test: the provisioned user is found with GET /Users?filter=userName eq "..."', async () => {
    const id = await provisionUser('create');
    expect((await entra.filter('Users', `userName eq "${email('create')}"`)).body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
  });

  it('2 Update_User_Test: updated mapped attributes (jobTitle, department) match on the SCIM endpoint', async () => {
    const id = await provisionUser('update');
    await patchUser(id, { op: 'Replace', path: 'title', value: 'Director' }, { op: 'Replace', path: `${ENTERPRISE_USER}:department`, value: 'Finance' });
    expect(await userById(id)).toMatchObject({ title: 'Director', [ENTERPRISE_USER]: { department: 'Finance' } });
  });

  it('3 Disable_User_Test: accountEnabled=false arrives as active "False" and the user stays readable, inactive', async () => {
    const id = await provisionUser('disable');
    await patchUser(id, { op: 'Replace', path: 'active', value: 'False' });
    expect(await userById(id)).toMatchObject({ id, active: false });
  });

  it('4 Delete_User_Test: after DELETE the user answers 404 and the filter totalResults=0', async () => {
    const id = await provisionUser('delete');
    await entra.send('delete', `/scim/v2/Users/${id}`);
    await entra.send('get', `/scim/v2/Users/${id}`, undefined, 404);
    expect((await entra.filter('Users', `userName eq "${email('delete')}"`)).body.totalResults).toBe(0);
  });

  it('5 User_Update_Manager_Test: the engine sets, changes and removes the manager', async () => {
    const id = await provisionUser('report');
    const [first, second] = [await provisionUser('boss1'), await provisionUser('boss2')];
    await patchUser(id, { op: 'Add', path: 'manager', value: [{ $ref: `../Users/${first}`, value: first }] });
    expect((await userById(id))[ENTERPRISE_USER].manager.value).toBe(first);
    await patchUser(id, { op: 'Replace', path: 'manager', value: [{ $ref: `../Users/${second}`, value: second }] });
    expect((await userById(id))[ENTERPRISE_USER].manager.value).toBe(second);
    await patchUser(id, { op: 'Remove', path: 'manager' });
    expect(isNullOrEmpty((await userById(id))[ENTERPRISE_USER]?.manager?.value)).toBe(true);
  });

  it('6 Restore_User_Test: provisioned, deprovisioned (gone), re-provisioned under the same userName and externalId', async () => {
    const first = await provisionUser('restore');
    await entra.send('delete', `/scim/v2/Users/${first}`);
    expect((await entra.filter('Users', `userName eq "${email('restore')}"`)).body.totalResults).toBe(0);
    const again = await provisionUser('restore');
    expect(again).not.toBe(first);
    expect((await entra.filter('Users', `userName eq "${email('restore')}"`)).body).toMatchObject({ totalResults: 1, Resources: [{ id: again }] });
  });

  it('7 POD_User_Test: provision on demand creates the user, and a second run matches it instead of creating another', async () => {
    const id = await provisionUser('pod');
    expect(await provisionUser('pod')).toBe(id);
    await patchUser(id, { op: 'Replace', path: 'displayName', value: 'On Demand' });
    expect((await userById(id)).displayName).toBe('On Demand');
  });

  // ---- Group provisioning tests (GroupTests_Workflow) ----

  it('8 Create_Group_Test: /Schemas returns the Group schema, and the group is found by displayName', async () => {
    const schemas = (await entra.send('get', '/scim/v2/Schemas')).body.Resources.map((schema: { id: string }) => schema.id);
    expect(schemas).toContain(GROUP);
    const id = await provisionGroup(`Create ${entra.tag}`);
    expect((await entra.filter('Groups', `displayName eq "Create ${entra.tag}"`)).body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
  });

  it('9 Update_Group_Test: the updated displayName is found on the SCIM endpoint', async () => {
    const id = await provisionGroup(`Update ${entra.tag}`);
    await patchGroup(id, { op: 'Replace', path: 'displayName', value: `Updated ${entra.tag}` });
    expect((await entra.filter('Groups', `displayName eq "Updated ${entra.tag}"`)).body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
  });

  it('10 Delete_Group_Test: after DELETE the group filter answers totalResults=0', async () => {
    const id = await provisionGroup(`Delete ${entra.tag}`);
    await entra.send('delete', `/scim/v2/Groups/${id}`);
    expect((await entra.filter('Groups', `displayName eq "Delete ${entra.tag}"`)).body.totalResults).toBe(0);
  });

  it('11 Group_Update_Add_Member_Test: the PATCH adding a member makes it one', async () => {
    const group = await provisionGroup(`Add ${entra.tag}`);
    const user = await provisionUser('member-add');
    await patchGroup(group, { op: 'Add', path: 'members', value: [{ $ref: null, value: user }] });
    expect(await entra.memberIds(group)).toEqual([user]);
  });

  it('12 Group_Update_Remove_Member_Test: the PATCH removing a member leaves the group without it', async () => {
    const group = await provisionGroup(`Remove ${entra.tag}`);
    const [stays, leaves] = [await provisionUser('member-stays'), await provisionUser('member-leaves')];
    await patchGroup(group, { op: 'Add', path: 'members', value: [{ $ref: null, value: stays }, { $ref: null, value: leaves }] });
    await patchGroup(group, { op: 'Remove', path: 'members', value: [{ $ref: null, value: leaves }] });
    expect(await entra.memberIds(group)).toEqual([stays]);
  });

  it('13 POD_Group_Test: provision on demand creates the group with its members, and matches it on a second run', async () => {
    const user = await provisionUser('pod-member');
    const group = await provisionGroup(`POD ${entra.tag}`);
    await patchGroup(group, { op: 'Add', path: 'members', value: [{ $ref: null, value: user }] });
    expect(await provisionGroup(`POD ${entra.tag}`)).toBe(group);
    expect(await entra.memberIds(group)).toEqual([user]);
  });

  it('14 Restore_Group_Test: provisioned, deleted (gone), re-provisioned under the same displayName', async () => {
    const first = await provisionGroup(`Restore ${entra.tag}`);
    await entra.send('delete', `/scim/v2/Groups/${first}`);
    const again = await provisionGroup(`Restore ${entra.tag}`);
    expect(again).not.toBe(first);
    expect((await entra.filter('Groups', `displayName eq "Restore ${entra.tag}"`)).body).toMatchObject({ totalResults: 1, Resources: [{ id: again }] });
  });

  // ---- SCIM compliance tests (SCIMTests_Workflow) ----

  it('15 Schema_Discoverability_Test: every mapped user and group attribute is discoverable in /Schemas', async () => {
    const resources = (await entra.send('get', '/scim/v2/Schemas')).body.Resources as { id: string; attributes: SchemaAttribute[] }[];
    const userNames = resources.flatMap((schema) =>
      schema.id === CORE_USER ? flattenSchema(schema.attributes) : schema.id === GROUP ? [] : flattenSchema(schema.attributes, `${schema.id}:`),
    );
    // externalId is common to every resource (RFC 7643 §3.1); the Logic App matches it as listed by the schema.
    const groupNames = flattenSchema(resources.find((schema) => schema.id === GROUP)!.attributes);
    const missing = (mapped: string[], names: string[]) => mapped.filter((target) => !names.some((name) => name.toLowerCase() === target.toLowerCase()));
    expect({ user: missing(MAPPED_USER_ATTRIBUTES, userNames), group: missing(MAPPED_GROUP_ATTRIBUTES, groupNames) }).toEqual({ user: [], group: [] });
  });

  /** The attributes test 16 clears: mapped, not matching, not required, not a reference (Filter_Null_Update_Target_Attributes). */
  const NULLABLE = [
    'displayName',
    'title',
    'preferredLanguage',
    'name.givenName',
    'name.familyName',
    'emails[type eq "work"].value',
    'phoneNumbers[type eq "mobile"].value',
    'addresses[type eq "work"].locality',
    `${ENTERPRISE_USER}:department`,
    `${ENTERPRISE_USER}:employeeNumber`,
  ];
  const fullUser = (name: string) => ({
    displayName: `${name} Full`,
    title: 'Engineer',
    preferredLanguage: 'en-US',
    phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
    addresses: [{ type: 'work', locality: 'Redmond' }],
    [ENTERPRISE_USER]: { department: 'R&D', employeeNumber: '42' },
  });
  const stillSet = async (id: string) => {
    const user = await userById(id);
    return NULLABLE.filter((target) => !isNullOrEmpty(valueAt(user, target)));
  };

  it('16 SCIM_Null_Update_Test: a PATCH with "" clears each attribute, and a PATCH with null keeps it cleared', async () => {
    const id = await provisionUser('nulls', fullUser('nulls'));
    expect(await stillSet(id)).toEqual(NULLABLE);
    // Compose_Null_Patch_Op (verbose form): one replace per attribute with "".
    await patchUser(id, ...NULLABLE.map((path) => ({ op: 'replace', path, value: '' })));
    expect(await stillSet(id)).toEqual([]);
    // Select_Null_Patch_Ops_Phase2: the same with null.
    await patchUser(id, ...NULLABLE.map((path) => ({ op: 'replace', path, value: null })));
    expect(await stillSet(id)).toEqual([]);
  });

  it('16 SCIM_Null_Update_Test (non-verbose form): filtered paths one by one, the rest in one path-less replace', async () => {
    const id = await provisionUser('nulls-batch', fullUser('nulls-batch'));
    const filtered = NULLABLE.filter((target) => target.includes('['));
    const scalar = NULLABLE.filter((target) => !target.includes('['));
    // Compose_SCIM_Null_Patch_Body with isVerbosePatchSupported=false.
    await patchUser(id, ...filtered.map((path) => ({ op: 'replace', path, value: '' })), { op: 'replace', value: Object.fromEntries(scalar.map((target) => [target, ''])) });
    expect(await stillSet(id)).toEqual([]);
    await patchUser(id, ...filtered.map((path) => ({ op: 'replace', path, value: null })), { op: 'replace', value: Object.fromEntries(scalar.map((target) => [target, null])) });
    expect(await stillSet(id)).toEqual([]);
  });

  it('17 SCIM_User_Create_Test: POST /Users answers 201 with an id and the userName sent', async () => {
    const created = await entra.send('post', '/scim/v2/Users', { schemas: [CORE_USER, ENTERPRISE_USER], userName: email('direct'), active: true, ...fullUser('direct') });
    expect(created.body.id).toEqual(expect.any(String));
    expect(created.body.userName).toBe(email('direct'));
  });

  it('18 SCIM_User_Update_Test: every PATCHed single-valued attribute reads back as sent', async () => {
    const id = await provisionUser('direct-update');
    const updates: Record<string, string> = {
      displayName: 'Upd Display',
      title: 'Upd Title',
      nickName: 'Upd',
      preferredLanguage: 'fr-FR',
      'name.givenName': 'UpdGiven',
      'name.familyName': 'UpdFamily',
      [`${ENTERPRISE_USER}:department`]: 'Upd Dept',
      [`${ENTERPRISE_USER}:employeeNumber`]: '4242',
    };
    await patchUser(id, ...Object.entries(updates).map(([path, value]) => ({ op: 'replace', path, value })));
    const user = await userById(id);
    expect(Object.fromEntries(Object.keys(updates).map((path) => [path, valueAt(user, path)]))).toEqual(updates);
  });

  it('19 SCIM_Group_Create_Test: POST /Groups answers 201 with an id and the displayName sent', async () => {
    const created = await entra.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `Direct ${entra.tag}` });
    expect(created.body).toMatchObject({ id: expect.any(String), displayName: `Direct ${entra.tag}` });
  });

  it('20 SCIM_Group_Update_Test: PATCHed single-valued group attributes read back as sent', async () => {
    const id = (await entra.send('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: `Direct update ${entra.tag}` })).body.id;
    await patchGroup(id, { op: 'replace', path: 'displayName', value: `Direct updated ${entra.tag}` }, { op: 'replace', path: 'externalId', value: `ext-direct-${entra.tag}` });
    expect((await entra.send('get', `/scim/v2/Groups/${id}`)).body).toMatchObject({ displayName: `Direct updated ${entra.tag}`, externalId: `ext-direct-${entra.tag}` });
  });

  it('21 Validate_Credentials_Test (SCIM half): the SCIM endpoint answers 2xx with the token and 401 without it', async () => {
    await entra.send('get', '/scim/v2/Users?count=1');
    const anonymous = await request(entra.gateway.app.getHttpServer()).get('/scim/v2/Users?count=1');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  /** SCIM_User_Pagination_Test / SCIM_Group_Pagination_Test: at least 2 pages of count=5, startIndex = page * 5 + 1. */
  async function paginate(resource: 'Users' | 'Groups'): Promise<{ pages: number; ids: string[]; total: number }> {
    const ids: string[] = [];
    let pages = 0;
    let total = 0;
    for (let startIndex = 1; ; startIndex += 5) {
      const page = (await entra.send('get', `/scim/v2/${resource}?startIndex=${startIndex}&count=5`)).body;
      expect(page.startIndex).toBe(pages * 5 + 1);
      pages += 1;
      total = page.totalResults;
      ids.push(...page.Resources.map((item: { id: string }) => item.id));
      if (startIndex + 5 > page.totalResults) return { pages, ids, total };
    }
  }

  it('23 SCIM_User_Pagination_Test: with at least 11 users, count=5 pages through every user exactly once', async () => {
    for (let i = 0; i < 11; i += 1) await provisionUser(`page-${i}`);
    const { pages, ids, total } = await paginate('Users');
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(total);
  });

  it('24 SCIM_Group_Pagination_Test: with at least 11 groups, count=5 pages through every group exactly once', async () => {
    for (let i = 0; i < 11; i += 1) await provisionGroup(`Page ${i} ${entra.tag}`);
    const { pages, ids, total } = await paginate('Groups');
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(total);
  });

  it('25 SCIM_Update_Manager_Test: Add, Replace, then Replace with "" on the enterprise manager path', async () => {
    const id = await provisionUser('direct-report');
    const [first, second] = [await provisionUser('direct-boss1'), await provisionUser('direct-boss2')];
    // Compose_Manager_Set_Patch_Body, Compose_Manager_Change_Patch_Body, Compose_Manager_Remove_Patch_Body.
    await patchUser(id, { op: 'Add', path: MANAGER, value: first });
    expect((await userById(id))[ENTERPRISE_USER].manager.value).toBe(first);
    await patchUser(id, { op: 'replace', path: MANAGER, value: second });
    expect((await userById(id))[ENTERPRISE_USER].manager.value).toBe(second);
    await patchUser(id, { op: 'replace', path: MANAGER, value: '' });
    expect(isNullOrEmpty((await userById(id))[ENTERPRISE_USER]?.manager?.value)).toBe(true);
  });
});
