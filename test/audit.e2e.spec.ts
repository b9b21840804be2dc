import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { userDecider, type UserCommand, type UserState } from '#domain/user/user.decider.js';
import { streamNames } from '#domain/stream-names.js';
import { chainedMetadata, eventHash } from '#event-store/audit/event-hash.js';
import type { ExportedEvent } from '#event-store/audit/tenant-history.js';
import { waitUntilReadable } from '#event-store/event-store-contract.test-support.js';
import type { EventMetadata, GlobalPosition, NewEvent } from '#event-store/event-store.port.js';
import { EVENTS_TABLE } from '#event-store/postgres/postgres.schema.js';
import { runAdminCli } from '../apps/admin/src/admin.main.js';
import type { CommandOutput } from '../apps/admin/src/admin-command.js';
import type { AuditEntry } from '../apps/gateway/src/audit/audit.service.js';
import { entraUser, startTestGateway, TEST_ADMIN_TOKEN, TEST_TOKEN, type TestGateway } from './support/test-gateway.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SOURCE_IP = '203.0.113.7';
const json = (response: { text: string }) => JSON.parse(response.text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A history entry as the admin API answers it, with the data of the user events this test makes. */
type Entry = AuditEntry & { readonly data: { attributes?: Record<string, unknown>; changes?: unknown[] } };

const linesOf = (text: string): ExportedEvent[] => {
  expect(text.endsWith('\n') || text === '').toBe(true);
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as ExportedEvent);
};

/** docs/audit.md: the auditor's view through /admin/v1 and `npm run admin -- audit ...`. */
describe('audit: history, asOf, export and verify through the admin API and the CLI', () => {
  let gateway: TestGateway;
  let baseUrl: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const server = gateway.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    const chunks: Buffer[] = [];
    const output: CommandOutput = { out: (text) => lines.push(text), write: (chunk) => void chunks.push(Buffer.from(chunk)) };
    const code = await runAdminCli(argv, { ADMIN_URL: baseUrl, ADMIN_TOKEN: TEST_ADMIN_TOKEN }, output);
    return { code, text: lines.join('\n'), written: Buffer.concat(chunks).toString('utf8') };
  };

  /** A SCIM write from "the IdP": a fixed source address (through the loopback proxy) and request id. */
  const scim = (method: 'post' | 'patch' | 'delete', path: string, requestId: string, body?: unknown) =>
    gateway.scim(method, path, body).set('X-Forwarded-For', SOURCE_IP).set('X-Request-Id', requestId).set('User-Agent', 'Audit-Test-IdP/1.0');

  describe('one user created, patched twice and deleted', () => {
    let userId: string;
    let afterFirstPatch: Record<string, unknown>;
    let history: Entry[];
    let defaultTokenId: string;

    beforeAll(async () => {
      const created = await scim('post', '/scim/v2/Users', 'audit-create', entraUser('audit.ann@example.com')).expect(201);
      userId = json(created).id;
      await sleep(20);
      const patched = await scim('patch', `/scim/v2/Users/${userId}`, 'audit-patch-1', {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Ann Auditor' }],
      }).expect(200);
      afterFirstPatch = json(patched);
      await sleep(20);
      await scim('patch', `/scim/v2/Users/${userId}`, 'audit-patch-2', {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }).expect(200);
      await sleep(20);
      await scim('delete', `/scim/v2/Users/${userId}`, 'audit-delete').expect(204);

      const tenant = json(await gateway.admin('get', '/admin/v1/tenants/default').expect(200));
      defaultTokenId = tenant.tokens.find((token: { label: string }) => token.label === 'SCIM_BEARER_TOKEN').id;
    });

    it('history: every event with who, when, from where, what, and the hash chain', async () => {
      const response = await gateway.admin('get', `/admin/v1/tenants/default/history/Users/${userId}`).expect(200);
      const body = json(response);
      expect(body).toMatchObject({ tenantId: 'default', resourceType: 'User', id: userId });
      history = body.events;
      expect(history.map((event) => event.type)).toEqual(['UserCreated', 'UserUpdated', 'UserUpdated', 'UserDeleted']);
      expect(history.map((event) => event.requestId)).toEqual(['audit-create', 'audit-patch-1', 'audit-patch-2', 'audit-delete']);
      history.forEach((event, index) => {
        expect(event).toMatchObject({
          revision: String(index),
          position: expect.stringMatching(/^\d+:\d+$/),
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          tokenId: defaultTokenId,
          sourceIp: SOURCE_IP,
          userAgent: 'Audit-Test-IdP/1.0',
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(event.previousHash).toBe(index === 0 ? null : history[index - 1].hash);
      });
      // What changed: the attribute-level changes of each update.
      expect(history[1].data.changes).toEqual([expect.objectContaining({ path: ['displayName'], after: 'Ann Auditor' })]);
      expect(history[2].data.changes).toEqual([expect.objectContaining({ path: ['active'], before: true, after: false })]);

      // The singular type names the same stream; the id is the resource's.
      expect(json(await gateway.admin('get', `/admin/v1/tenants/default/history/User/${userId}`).expect(200)).events).toEqual(history);
    });

    it('history: 404 for a resource that never existed, an unknown tenant or resource type; 401 without the admin token', async () => {
      const never = await gateway.admin('get', `/admin/v1/tenants/default/history/Users/${randomUUID()}`).expect(404);
      expect(json(never).detail).toMatch(/^User ".+" never existed in tenant "default"$/);
      expect(json(await gateway.admin('get', `/admin/v1/tenants/default/history/Groups/${userId}`).expect(404)).detail).toMatch(/^Group /);
      expect(json(await gateway.admin('get', `/admin/v1/tenants/nobody/history/Users/${userId}`).expect(404)).detail).toBe('tenant "nobody" not found');
      expect(json(await gateway.admin('get', `/admin/v1/tenants/default/history/Devices/${userId}`).expect(404)).detail).toMatch(/no resource type "Devices"/);
      await request(gateway.app.getHttpServer()).get(`/admin/v1/tenants/default/history/Users/${userId}`).expect(401);
      await gateway.as(TEST_TOKEN, 'get', `/admin/v1/tenants/default/history/Users/${userId}`).expect(401);
    });

    it('asOf: 404 before creation and after deletion, the state of the time in between', async () => {
      const times = history.map((event) => Date.parse(event.recordedAt));
      const asOf = (time: number | string) =>
        gateway.admin('get', `/admin/v1/tenants/default/resources/Users/${userId}?asOf=${encodeURIComponent(typeof time === 'string' ? time : new Date(time).toISOString())}`);

      const before = await asOf(times[0] - 1).expect(404);
      expect(json(before).detail).toBe(
        `User "${userId}" did not exist at ${new Date(times[0] - 1).toISOString()}: it was created at ${history[0].recordedAt}`,
      );

      const between = json(await asOf(Math.floor((times[1] + times[2]) / 2)).expect(200));
      expect(between).toEqual(afterFirstPatch);
      expect(between).toMatchObject({ id: userId, displayName: 'Ann Auditor', active: true, meta: { version: 'W/"1"' } });
      expect(json(await asOf(history[2].recordedAt).expect(200))).toMatchObject({ active: false, meta: { version: 'W/"2"' } });

      const after = await asOf(history[3].recordedAt).expect(404);
      expect(json(after).detail).toBe(
        `User "${userId}" did not exist at ${history[3].recordedAt}: it was deleted at ${history[3].recordedAt} (UserDeleted, revision 3)`,
      );
    });

    it('asOf: 400 invalidValue without it or with a time that is not ISO-8601 with a zone', async () => {
      const missing = await gateway.admin('get', `/admin/v1/tenants/default/resources/Users/${userId}`).expect(400);
      expect(json(missing)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/^asOf is required/) });
      for (const bad of ['yesterday', '2025-01-31T12:00:00']) {
        const refused = await gateway.admin('get', `/admin/v1/tenants/default/resources/Users/${userId}?asOf=${bad}`).expect(400);
        expect(json(refused)).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining(`asOf="${bad}"`) });
      }
      await gateway.admin('get', `/admin/v1/tenants/nobody/resources/Users/${userId}?asOf=2025-01-01T00:00:00Z`).expect(404);
    });

    it("export: one JSON line per event, this tenant's streams only, resumable after a position", async () => {
      await gateway.admin('post', '/admin/v1/tenants', { id: 'other-audit' }).expect(201);
      const token = json(await gateway.admin('post', '/admin/v1/tenants/other-audit/tokens', {}).expect(201)).token;
      const otherUser = json(await gateway.as(token, 'post', '/scim/v2/Users', entraUser('other.audit@example.com')).expect(201)).id;

      const response = await gateway.admin('get', '/admin/v1/tenants/default/export').buffer(true).parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = linesOf(response.body as string);
      expect(lines.length).toBeGreaterThanOrEqual(4);
      expect(lines.every((line) => line.streamName.startsWith('default.'))).toBe(true);
      const mine = lines.filter((line) => line.streamName === streamNames.user('default', userId));
      expect(mine.map((line) => line.id)).toEqual(history.map((event) => event.eventId));
      for (const line of lines) expect(eventHash({ ...line, revision: BigInt(line.revision) })).toBe(line.metadata.hash);

      const other = linesOf((await gateway.admin('get', '/admin/v1/tenants/other-audit/export').expect(200)).text);
      expect(other.length).toBeGreaterThan(0);
      expect(other.every((line) => line.streamName.startsWith('other-audit.'))).toBe(true);
      expect(other.some((line) => line.streamName === streamNames.user('other-audit', otherUser))).toBe(true);

      const resumed = linesOf((await gateway.admin('get', `/admin/v1/tenants/default/export?after=${lines[1].position}`).expect(200)).text);
      expect(resumed.map((line) => line.id)).toEqual(lines.slice(2).map((line) => line.id));
      expect(json(await gateway.admin('get', '/admin/v1/tenants/default/export?after=nope').expect(400))).toMatchObject({ scimType: 'invalidValue' });
      await gateway.admin('get', '/admin/v1/tenants/nobody/export').expect(404);
    });

    it('verify: ok, by POST and by GET', async () => {
      const exported = linesOf((await gateway.admin('get', '/admin/v1/tenants/default/export').expect(200)).text);
      const verified = json(await gateway.admin('post', '/admin/v1/tenants/default/verify').expect(200));
      expect(verified).toEqual({
        tenantId: 'default',
        eventsChecked: exported.length,
        streamsChecked: new Set(exported.map((line) => line.streamName)).size,
        ok: true,
        problems: [],
        problemCount: 0,
        problemCounts: { 'hash-mismatch': 0, 'broken-link': 0, 'revision-gap': 0, unchained: 0 },
        lastPosition: exported[exported.length - 1].position,
      });
      expect(json(await gateway.admin('get', '/admin/v1/tenants/default/verify').expect(200))).toMatchObject({ ok: true });
      await gateway.admin('post', '/admin/v1/tenants/nobody/verify').expect(404);
    });

    it('CLI: history as a table and as JSON, as-of, export, verify', async () => {
      const table = await cli('audit', 'history', 'default', 'User', userId);
      expect(table.code).toBe(0);
      const lines = table.text.split('\n');
      expect(lines[0]).toBe(`User ${userId} in tenant default: 4 events`);
      expect(lines).toContainEqual(expect.stringMatching(/^REV\s+RECORDED AT\s+TYPE\s+TOKEN\s+SOURCE IP\s+CHANGE$/));
      const row = (revision: number) => lines.find((line) => line.startsWith(`${revision}  `))!;
      expect(row(0)).toContain(`${history[0].recordedAt}  UserCreated`);
      expect(row(0)).toMatch(new RegExp(`${defaultTokenId}\\s+${SOURCE_IP.replace(/\./g, '\\.')}\\s+\\{"userName":"audit\\.ann@example\\.com","externalId":`));
      expect(row(1)).toMatch(/UserUpdated .*  displayName: \(none\) → "Ann Auditor"$/);
      expect(row(2)).toContain('active: true → false');
      expect(row(3)).toMatch(/UserDeleted .*\{"userName":"audit\.ann@example\.com"\}$/);

      const asJson = await cli('audit', 'history', 'default', 'users', userId, '--json');
      expect(JSON.parse(asJson.text).events).toEqual(history);

      const between = new Date(Math.floor((Date.parse(history[1].recordedAt) + Date.parse(history[2].recordedAt)) / 2)).toISOString();
      const asOf = await cli('audit', 'as-of', 'default', 'User', userId, between);
      expect(asOf.code).toBe(0);
      expect(JSON.parse(asOf.text)).toEqual(afterFirstPatch);
      const gone = await cli('audit', 'as-of', 'default', 'User', userId, history[3].recordedAt);
      expect(gone).toMatchObject({ code: 1, text: expect.stringMatching(/^refused \(404\): User ".+" did not exist at .+: it was deleted at /) });

      const exported = await cli('audit', 'export', 'default');
      expect(exported).toMatchObject({ code: 0, text: '' });
      expect(exported.written).toBe((await gateway.admin('get', '/admin/v1/tenants/default/export').expect(200)).text);
      const first = linesOf(exported.written)[0];
      const resumed = await cli('audit', 'export', 'default', '--after', first.position);
      expect(linesOf(resumed.written).map((line) => line.id)).toEqual(linesOf(exported.written).slice(1).map((line) => line.id));

      const verified = await cli('audit', 'verify', 'default');
      expect(verified.code).toBe(0);
      expect(verified.text).toMatch(/^tenant default: \d+ events in \d+ streams checked, up to position \d+:\d+\nOK: every hash chain checks out$/);

      expect((await cli('audit', 'history', 'default', 'Device', userId)).code).toBe(2);
      expect((await cli('audit', 'history', 'nobody', 'User', userId)).code).toBe(1);
    });

    it('verify finds an event changed in the database: ok false (HTTP 200), the CLI exits 1', async () => {
      await gateway.runtime.dataSource.query(
        `UPDATE ${EVENTS_TABLE} SET data = jsonb_set(data, '{attributes,displayName}', '"Mallory"') WHERE event_id = $1`,
        [history[1].eventId],
      );
      const verified = json(await gateway.admin('post', '/admin/v1/tenants/default/verify').expect(200));
      expect(verified).toMatchObject({ ok: false, problemCount: 2, problemCounts: { 'hash-mismatch': 1, 'broken-link': 1 } });
      expect(verified.problems.map(({ streamName, revision, eventId, kind }: Record<string, string>) => ({ streamName, revision, eventId, kind }))).toEqual([
        { streamName: streamNames.user('default', userId), revision: '1', eventId: history[1].eventId, kind: 'hash-mismatch' },
        { streamName: streamNames.user('default', userId), revision: '2', eventId: history[2].eventId, kind: 'broken-link' },
      ]);
      // Another tenant's chains are not affected.
      expect(json(await gateway.admin('post', '/admin/v1/tenants/other-audit/verify').expect(200)).ok).toBe(true);

      const failed = await cli('audit', 'verify', 'default');
      expect(failed.code).toBe(1);
      expect(failed.text).toContain('FAILED: 2 problems (hash-mismatch 1, broken-link 1)');
      expect(failed.text).toMatch(new RegExp(`${streamNames.user('default', userId)}\\s+1\\s+${history[1].eventId}\\s+hash-mismatch`));
      expect(failed.text).toMatch(/verification failed/);

      const failedJson = await cli('audit', 'verify', 'default', '--json');
      expect(failedJson.code).toBe(1);
      expect(JSON.parse(failedJson.text)).toMatchObject({ ok: false, problemCount: 2 });

      // The history shows the changed event as the store now has it: verify is what tells it apart.
      const changed = json(await gateway.admin('get', `/admin/v1/tenants/default/history/Users/${userId}`).expect(200)).events[1];
      expect(changed.data.attributes.displayName).toBe('Mallory');
    });
  });

  describe('a tenant with 2,000 events', () => {
    const TENANT = 'big-audit';
    const STREAMS = 20;
    const PER_STREAM = 100;

    /** Events as the command loop would record them (decided by the user decider, chained), appended directly. */
    async function appendHistory(): Promise<GlobalPosition> {
      const at = new Date().toISOString();
      let last: GlobalPosition | undefined;
      for (let s = 0; s < STREAMS; s++) {
        const userId = randomUUID();
        const streamName = streamNames.user(TENANT, userId);
        let state: UserState = userDecider.initialState;
        let previousHash: string | null = null;
        const events: NewEvent[] = [];
        for (let n = 0; n < PER_STREAM; n++) {
          const attributes = { userName: `big-${s}@example.com`, displayName: `revision ${n} ${'x'.repeat(600)}` };
          const command: UserCommand = n === 0 ? { type: 'CreateUser', userId, attributes, at } : { type: 'ReplaceUser', userId, attributes, at };
          for (const event of userDecider.decide(command, state)) {
            state = userDecider.evolve(state, event);
            const metadata: EventMetadata = { tenantId: TENANT, tokenId: 'tok-big', requestId: `req-${s}-${n}`, correlationId: null, sourceIp: '10.0.0.1', userAgent: 'bulk', occurredAt: at };
            const base = { id: randomUUID(), type: event.type, schemaVersion: 1, data: event.data, metadata };
            const chained = chainedMetadata({ ...base, streamName, revision: BigInt(events.length) }, previousHash);
            previousHash = chained.hash;
            events.push({ ...base, metadata: chained });
          }
        }
        last = (await gateway.runtime.eventStore.appendToStream({ streamName, expectedRevision: 'no-stream', events })).position;
      }
      return last!;
    }

    beforeAll(async () => {
      await gateway.admin('post', '/admin/v1/tenants', { id: TENANT }).expect(201);
      await waitUntilReadable(gateway.runtime.eventStore, await appendHistory());
    });

    it('streams the export: the body arrives in several chunks, one line per event', async () => {
      const chunks: number[] = [];
      let text = '';
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(`${baseUrl}/admin/v1/tenants/${TENANT}/export`, { headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }, resolve).on('error', reject);
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(response.headers['transfer-encoding']).toBe('chunked');
      response.setEncoding('utf8');
      for await (const chunk of response as AsyncIterable<string>) {
        chunks.push(chunk.length);
        text += chunk;
      }
      expect(chunks.length).toBeGreaterThan(1);
      const lines = linesOf(text);
      expect(lines).toHaveLength(STREAMS * PER_STREAM);
      expect(new Set(lines.map((line) => line.streamName)).size).toBe(STREAMS);
      expect(lines.every((line) => line.streamName.startsWith(`${TENANT}.`))).toBe(true);
    });

    it('survives a client that goes away in the middle, and verifies every chain', async () => {
      await new Promise<void>((resolve, reject) => {
        const call = http.get(`${baseUrl}/admin/v1/tenants/${TENANT}/export`, { headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }, (response) => {
          response.once('data', () => {
            call.destroy();
            resolve();
          });
        });
        call.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      });
      const verified = json(await gateway.admin('post', `/admin/v1/tenants/${TENANT}/verify`).expect(200));
      expect(verified).toMatchObject({ ok: true, eventsChecked: STREAMS * PER_STREAM, streamsChecked: STREAMS });

      const exported = await cli('audit', 'export', TENANT);
      expect(exported.code).toBe(0);
      expect(linesOf(exported.written)).toHaveLength(STREAMS * PER_STREAM);
    });
  });
});
