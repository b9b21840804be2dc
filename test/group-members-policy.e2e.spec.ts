import { randomBytes } from 'node:crypto';
import type { StoredProvisioningLogEntry } from '../apps/gateway/src/provisioning-log/provisioning-log.entry.js';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const LOG = '/admin/v1/tenants/default/provisioning-log';
/** This run's names and request ids: a PostgreSQL server (DATABASE_URL) keeps other runs' rows and groups. */
const RUN = randomBytes(4).toString('hex');
/** Ids that name no user or group of the tenant. */
const GHOST = `ghost-${RUN}`;
const PHANTOM = `phantom-${RUN}`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const json = (response: { text: string }): Json => JSON.parse(response.text);

/**
 * Issue 13 item 4 and the membership tolerances of item 3: unknown group members follow the tenant's policy
 * (SCIM_UNKNOWN_GROUP_MEMBERS is the default for every tenant), decided on the write side; under `skip` the known
 * members are applied and the unknown ids are listed in the request's provisioning log entry.
 */
describe.each(backends())('unknown group members on %s', (_name, env) => {
  describe('policy skip (the default)', () => {
    const scenario = withGateway(env, {});

    it('applies the known members of a PATCH add, answers 200 with the group as applied, and logs the unknown ids (Okta drops a whole push on a 400: fleetdm/fleet#52600)', async () => {
      const { gateway, logEntry, createUser, createGroup, memberIds } = scenario;
      const ann = await createUser('ann');
      const group = await createGroup('Skip Add');
      const response = await patchGroup(gateway, group.id, [{ op: 'add', path: 'members', value: [{ value: ann }, { value: GHOST }] }]).set('X-Request-Id', rid('skip-add'));
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('W/"1"');
      expect(json(response)).toMatchObject({ id: group.id, meta: { version: 'W/"1"' }, members: [{ value: ann, type: 'User' }] });
      expect(json(response).members).toHaveLength(1);
      expect(await memberIds(group.id)).toEqual([ann]);
      expect(await logEntry('skip-add')).toMatchObject({ status: 200, skippedMemberIds: [GHOST], skippedMemberCount: 1, eventIds: [expect.any(String)] });
    });

    it('answers a PATCH whose members are all unknown with 200 and no event: the version and ETag stay', async () => {
      const { gateway, logEntry, createGroup } = scenario;
      const group = await createGroup('Skip All');
      const response = await patchGroup(gateway, group.id, [{ op: 'add', path: 'members', value: [{ value: GHOST }, { value: PHANTOM }] }]).set('X-Request-Id', rid('skip-all'));
      expect([response.status, json(response).members ?? []]).toEqual([200, []]);
      expect(response.headers.etag).toBe('W/"0"');
      const shown = json(await gateway.scim('get', `/scim/v2/Groups/${group.id}`));
      expect(shown.meta.version).toBe('W/"0"');
      expect(shown.members ?? []).toEqual([]);
      expect(await logEntry('skip-all')).toMatchObject({ status: 200, eventIds: [], skippedMemberIds: [GHOST, PHANTOM], skippedMemberCount: 2 });
    });

    it('creates (POST) and replaces (PUT) with the known members only, answering them alone', async () => {
      const { gateway, logEntry, createUser, memberIds } = scenario;
      const bob = await createUser('bob');
      const carol = await createUser('carol');
      const created = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: name('Skip Post'), members: [{ value: GHOST }, { value: bob }] }).set('X-Request-Id', rid('skip-post'));
      expect(created.status).toBe(201);
      const id = json(created).id as string;
      expect(json(created).members).toEqual([{ value: bob, type: 'User', $ref: expect.stringContaining(`/Users/${bob}`) }]);
      expect(await memberIds(id)).toEqual([bob]);
      const replaced = await gateway.scim('put', `/scim/v2/Groups/${id}`, { schemas: [GROUP], displayName: name('Skip Post'), members: [{ value: carol }, { value: PHANTOM }] }).set('X-Request-Id', rid('skip-put'));
      expect(replaced.status).toBe(200);
      expect(json(replaced).members).toEqual([{ value: carol, type: 'User', $ref: expect.stringContaining(`/Users/${carol}`) }]);
      expect(await memberIds(id)).toEqual([carol]);
      expect(await logEntry('skip-post')).toMatchObject({ status: 201, resourceId: id, skippedMemberIds: [GHOST], skippedMemberCount: 1 });
      expect(await logEntry('skip-put')).toMatchObject({ status: 200, skippedMemberIds: [PHANTOM], skippedMemberCount: 1 });
    });

    it('never adds a deleted user, and says so in the log', async () => {
      const { gateway, logEntry, createUser, createGroup, memberIds } = scenario;
      const leaver = await createUser('leaver');
      const group = await createGroup('Skip Deleted');
      expect((await gateway.scim('delete', `/scim/v2/Users/${leaver}`)).status).toBe(204);
      expect((await patchGroup(gateway, group.id, [{ op: 'add', path: 'members', value: [{ value: leaver }] }]).set('X-Request-Id', rid('skip-deleted'))).status).toBe(200);
      expect(await memberIds(group.id)).toEqual([]);
      expect(await logEntry('skip-deleted')).toMatchObject({ skippedMemberIds: [leaver], skippedMemberCount: 1, eventIds: [] });
    });

    it('still refuses what is wrong with an id that exists: a user sent as type Group (400)', async () => {
      const { gateway, createUser, createGroup } = scenario;
      const dan = await createUser('dan');
      const group = await createGroup('Skip Mistyped');
      const refused = await patchGroup(gateway, group.id, [{ op: 'add', path: 'members', value: [{ value: dan, type: 'Group' }, { value: GHOST }] }]);
      expect(refused.status).toBe(400);
      expect(json(refused)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('is a User, not a Group') });
    });

    it('keeps the first 100 skipped ids in the log entry, and counts them all', async () => {
      const { gateway, logEntry, createGroup } = scenario;
      const group = await createGroup('Skip Many');
      const ghosts = Array.from({ length: 150 }, (_, i) => ({ value: `${GHOST}-${String(i).padStart(3, '0')}` }));
      expect((await patchGroup(gateway, group.id, [{ op: 'add', path: 'members', value: ghosts }]).set('X-Request-Id', rid('skip-many'))).status).toBe(200);
      const entry = await logEntry('skip-many');
      expect(entry.skippedMemberCount).toBe(150);
      expect(entry.skippedMemberIds).toEqual(ghosts.slice(0, 100).map((ghost) => ghost.value));
    });

    it('gathers the skipped ids of every Bulk operation in the Bulk request’s entry', async () => {
      const { gateway, logEntry, createUser, createGroup, memberIds } = scenario;
      const erin = await createUser('erin');
      const group = await createGroup('Skip Bulk');
      const response = await gateway
        .scim('post', '/scim/v2/Bulk', {
          schemas: [BULK],
          Operations: [
            { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: name('Skip Bulk Created'), members: [{ value: GHOST }] } },
            { method: 'PATCH', path: `/Groups/${group.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: erin }, { value: PHANTOM }] }] } },
          ],
        })
        .set('X-Request-Id', rid('skip-bulk'));
      expect(response.status).toBe(200);
      expect(json(response).Operations.map((operation: Json) => operation.status)).toEqual(['201', '204']);
      expect(await memberIds(group.id)).toEqual([erin]);
      expect(await logEntry('skip-bulk')).toMatchObject({ resourceType: 'Bulk', skippedMemberIds: [GHOST, PHANTOM], skippedMemberCount: 2 });
    });

    it('reports the same in a dry run as the live request does, and stores nothing', async () => {
      const { gateway, logEntry, createUser, createGroup, memberIds } = scenario;
      const fay = await createUser('fay');
      const group = await createGroup('Skip Dry');
      const operations = [{ op: 'add', path: 'members', value: [{ value: fay }, { value: GHOST }] }];
      const dry = await gateway.scim('patch', `/scim/v2/dry-run/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: operations }).set('X-Request-Id', rid('skip-dry'));
      // A dry run shows the group without members: the would-be membership is in no read model.
      expect([dry.status, json(dry).members]).toEqual([200, undefined]);
      expect(await memberIds(group.id)).toEqual([]);
      const live = await patchGroup(gateway, group.id, operations).set('X-Request-Id', rid('skip-live'));
      expect([live.status, live.headers.etag]).toEqual([dry.status, dry.headers.etag]);
      const [dryEntry, liveEntry] = [await logEntry('skip-dry'), await logEntry('skip-live')];
      expect(dryEntry).toMatchObject({ dryRun: true, skippedMemberIds: [GHOST], skippedMemberCount: 1 });
      expect(dryEntry.eventIds).toHaveLength(1);
      expect(liveEntry).toMatchObject({ dryRun: false, skippedMemberIds: [GHOST], skippedMemberCount: 1 });
      expect(liveEntry.eventIds).toHaveLength(1);
      expect(await memberIds(group.id)).toEqual([fay]);
    });

    it("takes bare-string members: Microsoft's SCIM reference collection (AzureAD/SCIMReferenceCode PostmanCollection.json)", async () => {
      const { gateway, logEntry, createUser, createGroup, memberIds } = scenario;
      // "Group tests with garbage / Group patch add member": a bare string that names nothing. The collection expects
      // 204; the gateway answers 200 with the group, which shows the id was skipped (RFC 7644 §3.5.2 allows both).
      const garbage = await createGroup('Group 1');
      const added = await gateway
        .scim('patch', `/scim/v2/Groups/${garbage.id}`, { id: garbage.id, Operations: [{ op: 'add', path: 'members', value: 'string id 1' }], schemas: [PATCH_OP] })
        .set('X-Request-Id', rid('bare-garbage'));
      expect(added.status).toBe(200);
      expect(await logEntry('bare-garbage')).toMatchObject({ skippedMemberIds: ['string id 1'], skippedMemberCount: 1 });
      // Bare ids of real users, in a POST and PUT body and a PATCH value.
      const [gus, hal] = [await createUser('gus'), await createUser('hal')];
      const created = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: name('Bare Post'), members: [gus, hal] });
      expect(created.status).toBe(201);
      expect(json(created).members.map((member: Json) => [member.value, member.type]).sort()).toEqual([[gus, 'User'], [hal, 'User']].sort());
      const id = json(created).id as string;
      expect((await gateway.scim('put', `/scim/v2/Groups/${id}`, { schemas: [GROUP], displayName: name('Bare Post'), members: [hal] })).status).toBe(200);
      expect(await memberIds(id)).toEqual([hal]);
      expect((await patchGroup(gateway, id, [{ op: 'add', path: 'members', value: [gus] }])).status).toBe(204);
      expect(await memberIds(id)).toEqual([gus, hal].sort());
      expect((await patchGroup(gateway, garbage.id, [{ op: 'add', value: { members: [gus] } }])).status).toBe(204);
      expect(await memberIds(garbage.id)).toEqual([gus]);
    });

    it('takes repeated adds of the same member without an error, a duplicate or a new event (JumpCloud repeats adds)', async () => {
      const { gateway, logEntry, createUser, createGroup, memberIds } = scenario;
      const ivy = await createUser('ivy');
      const group = await createGroup('Repeated Adds');
      const add = { op: 'add', path: 'members', value: [{ value: ivy }] };
      const first = await patchGroup(gateway, group.id, [add, add]).set('X-Request-Id', rid('repeat-1'));
      const second = await patchGroup(gateway, group.id, [add]).set('X-Request-Id', rid('repeat-2'));
      expect([first.status, second.status]).toEqual([204, 204]);
      expect([first.headers.etag, second.headers.etag]).toEqual(['W/"1"', 'W/"1"']);
      expect(await memberIds(group.id)).toEqual([ivy]);
      expect((await logEntry('repeat-1')).eventIds).toHaveLength(1);
      expect(await logEntry('repeat-2')).toMatchObject({ eventIds: [], skippedMemberIds: [], skippedMemberCount: 0 });
    });

    it("takes Okta's path-less replace of {id, displayName} right after the creation, and members inside such a value", async () => {
      // developer.okta.com/docs/reference/scim/scim-20/ "Create Groups" then "Update a specific Group name" (okta/okta-developer-docs)
      const { gateway, createUser, memberIds } = scenario;
      const created = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: name('Test SCIMv2'), members: [] });
      expect(created.status).toBe(201);
      const id = json(created).id as string;
      const renamed = await patchGroup(gateway, id, [{ op: 'replace', value: { id, displayName: name('Test SCIMv20') } }]);
      expect(renamed.status).toBe(204);
      expect(json(await gateway.scim('get', `/scim/v2/Groups/${id}`))).toMatchObject({ id, displayName: name('Test SCIMv20') });
      const jay = await createUser('jay');
      expect((await patchGroup(gateway, id, [{ op: 'replace', value: { id, displayName: name('Test SCIMv20'), members: [{ value: jay, display: 'jay' }, { value: GHOST }] } }])).status).toBe(200);
      expect(await memberIds(id)).toEqual([jay]);
    });

    it("takes Okta's memberships in POST and PUT group bodies (value and display)", async () => {
      // developer.okta.com/docs/reference/scim/scim-20/ "Update specific Group membership" (PUT, custom AIW integrations)
      const { gateway, createUser, memberIds } = scenario;
      const [kim, lou] = [await createUser('kim'), await createUser('lou')];
      const created = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: name('Okta Push'), members: [{ value: kim, display: 'kim@okta.local' }] });
      expect(created.status).toBe(201);
      const id = json(created).id as string;
      expect(json(created).members).toEqual([{ value: kim, type: 'User', display: 'kim@okta.local', $ref: expect.stringContaining(kim) }]);
      const replaced = await gateway.scim('put', `/scim/v2/Groups/${id}`, { schemas: [GROUP], displayName: name('Okta Push'), members: [{ value: lou, display: 'lou@okta.local' }] });
      expect(replaced.status).toBe(200);
      expect(json(replaced).members).toEqual([{ value: lou, type: 'User', display: 'lou@okta.local', $ref: expect.stringContaining(lou) }]);
      expect(await memberIds(id)).toEqual([lou]);
    });
  });

  describe('policy reject (SCIM_UNKNOWN_GROUP_MEMBERS=reject)', () => {
    const scenario = withGateway(env, { SCIM_UNKNOWN_GROUP_MEMBERS: 'reject' });

    it('refuses a PATCH, POST, PUT, Bulk operation and dry run naming an unknown member: 400 invalidValue, nothing changed, nothing logged as skipped', async () => {
      const { gateway, logEntry, createUser, createGroup, memberIds } = scenario;
      const ann = await createUser('reject-ann');
      const group = await createGroup('Reject');
      const operations = [{ op: 'add', path: 'members', value: [{ value: ann }, { value: GHOST }] }];
      const refused = await patchGroup(gateway, group.id, operations).set('X-Request-Id', rid('reject-patch'));
      expect(refused.status).toBe(400);
      expect(json(refused)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining(`no such resource: "${GHOST}"`) });
      expect(await memberIds(group.id)).toEqual([]);
      const dry = await gateway.scim('patch', `/scim/v2/dry-run/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: operations });
      expect([dry.status, json(dry).detail]).toEqual([400, json(refused).detail]);
      expect((await gateway.scim('put', `/scim/v2/Groups/${group.id}`, { schemas: [GROUP], displayName: name('Reject'), members: [{ value: GHOST }] })).status).toBe(400);
      const post = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: name('Reject Post'), members: [GHOST] });
      expect([post.status, json(post).scimType]).toEqual([400, 'invalidValue']);
      const bulk = await gateway.scim('post', '/scim/v2/Bulk', { schemas: [BULK], Operations: [{ method: 'PATCH', path: `/Groups/${group.id}`, data: { schemas: [PATCH_OP], Operations: operations } }] });
      expect(json(bulk).Operations[0]).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
      expect(await memberIds(group.id)).toEqual([]);
      expect(await logEntry('reject-patch')).toMatchObject({ status: 400, scimType: 'invalidValue', eventIds: [], skippedMemberIds: [], skippedMemberCount: 0 });
    });

    it('still takes bare strings and repeated adds of known members', async () => {
      const { gateway, createUser, createGroup, memberIds } = scenario;
      const bea = await createUser('reject-bea');
      const group = await createGroup('Reject Bare');
      expect((await patchGroup(gateway, group.id, [{ op: 'add', path: 'members', value: bea }, { op: 'add', path: 'members', value: [bea] }])).status).toBe(204);
      expect(await memberIds(group.id)).toEqual([bea]);
    });
  });
});

function backends(): [string, Record<string, string>][] {
  const list: [string, Record<string, string>][] = [['embedded PGlite', {}]];
  if (process.env.DATABASE_URL) list.push(['PostgreSQL server', { DATABASE_URL: process.env.DATABASE_URL }]);
  return list;
}

function rid(label: string): string {
  return `gm-${RUN}-${label}`;
}

function name(label: string): string {
  return `${label} ${RUN}`;
}

function patchGroup(gateway: TestGateway, id: string, operations: unknown[]) {
  return gateway.scim('patch', `/scim/v2/Groups/${id}`, { schemas: [PATCH_OP], Operations: operations });
}

interface Scenario {
  readonly gateway: TestGateway;
  createUser(label: string): Promise<string>;
  createGroup(label: string): Promise<{ id: string }>;
  /** The group's member ids as GET answers them (the read model), sorted. */
  memberIds(groupId: string): Promise<string[]>;
  /** The provisioning log entry of the request sent with rid(label), through the admin API (written in batches: polled). */
  logEntry(label: string): Promise<StoredProvisioningLogEntry>;
}

/** A gateway started with these settings for the enclosing describe block, and the helpers its tests use. */
function withGateway(env: Record<string, string>, settings: Record<string, string>): Scenario {
  let gateway: TestGateway;
  let started: Date;
  beforeAll(async () => {
    gateway = await startTestGateway({ ...env, ...settings });
    started = new Date();
  });
  afterAll(async () => {
    await gateway?.close();
  });
  return {
    get gateway() {
      return gateway;
    },
    async createUser(label) {
      const response = await gateway.scim('post', '/scim/v2/Users', entraUser(`${label}-${RUN}@contoso.com`));
      expect(response.status).toBe(201);
      return json(response).id as string;
    },
    async createGroup(label) {
      const response = await gateway.scim('post', '/scim/v2/Groups', { schemas: [GROUP], displayName: name(label) });
      expect(response.status).toBe(201);
      return json(response) as { id: string };
    },
    async memberIds(groupId) {
      const response = await gateway.scim('get', `/scim/v2/Groups/${groupId}`);
      expect(response.status).toBe(200);
      return ((json(response).members ?? []) as { value: string }[]).map((member) => member.value).sort();
    },
    async logEntry(label) {
      for (let attempt = 0; attempt < 200; attempt++) {
        let cursor: string | null = null;
        do {
          const query = `since=${encodeURIComponent(started.toISOString())}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const page = json(await gateway.admin('get', `${LOG}?${query}`).expect(200));
          const found = (page.entries as StoredProvisioningLogEntry[]).find((entry) => entry.requestId === rid(label));
          if (found) return found;
          cursor = page.nextCursor;
        } while (cursor);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the provisioning log has no entry for ${rid(label)}`);
    },
  };
}
