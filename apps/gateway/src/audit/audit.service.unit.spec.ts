import { describe, expect, it } from '@jest/globals';
import { groupDecider, type GroupCommand } from '#domain/group/group.decider.js';
import { streamNames } from '#domain/stream-names.js';
import { userDecider, type UserCommand } from '#domain/user/user.decider.js';
import { decision, runCommand } from '#event-store/command.loop.js';
import { VersionConflictError } from '#event-store/event-store.errors.js';
import {
  comparePositions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ReadAllOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamRead,
} from '#event-store/event-store.port.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { AuditService } from './audit.service.js';

/** Just enough of an event store, with a clock the test sets: every append is recorded at `now`. */
class ClockedStore {
  now = new Date('2025-01-01T00:00:00.000Z');
  private readonly log: RecordedEvent[] = [];

  async appendToStream(append: StreamAppend): Promise<AppendResult> {
    return (await this.appendToStreams([append]))[0];
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    for (const append of appends) {
      const last = this.last(append.streamName);
      const ok = append.expectedRevision === 'any' || (append.expectedRevision === 'no-stream' ? last === null : last === append.expectedRevision);
      if (!ok) throw new VersionConflictError(append.streamName, String(append.expectedRevision), String(last));
    }
    return appends.map((append) => {
      let revision = this.last(append.streamName) ?? -1n;
      for (const event of append.events) {
        const index = BigInt(this.log.length);
        this.log.push({ ...event, streamName: append.streamName, revision: ++revision, position: { commit: index, prepare: index }, recordedAt: this.now });
      }
      return { nextRevision: revision, position: this.log[this.log.length - 1].position };
    });
  }

  async readStream(streamName: string, fromRevision = 0n): Promise<RecordedEvent[]> {
    return this.log.filter((event) => event.streamName === streamName && event.revision >= fromRevision);
  }

  async readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]> {
    return Promise.all(reads.map((read) => this.readStream(read.streamName, read.fromRevision)));
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.log
      .filter((event) => comparePositions(event.position, options.after) > 0)
      .filter((event) => !options.streamPrefixes || options.streamPrefixes.some((prefix) => event.streamName.startsWith(prefix)))
      .slice(0, options.maxCount);
  }

  private last(streamName: string): bigint | null {
    return this.log.filter((event) => event.streamName === streamName).at(-1)?.revision ?? null;
  }
}

const TENANT = 'acme';
const USER_ID = '11111111-1111-4111-8111-111111111111';
const GROUP_ID = '22222222-2222-4222-8222-222222222222';
const BASE_URL = 'https://scim.example.com/scim/v2';
const registry = new SchemaRegistry();

function setUp() {
  const store = new ClockedStore();
  const audit = new AuditService(store as unknown as EventStore, { registry, baseUrl: BASE_URL, exportPageSize: 2 });
  const metadata = (): EventMetadata => ({
    tenantId: TENANT,
    tokenId: 'tok-1',
    requestId: `req-${store.now.getTime()}`,
    correlationId: null,
    sourceIp: '10.0.0.1',
    userAgent: 'Okta SCIM',
    occurredAt: store.now.toISOString(),
  });
  const at = (iso: string) => {
    store.now = new Date(iso);
    return iso;
  };
  const user = (command: UserCommand) =>
    runCommand(store as unknown as EventStore, metadata(), async () => [decision(streamNames.user(TENANT, USER_ID), userDecider, command)]);
  const group = (command: GroupCommand) =>
    runCommand(store as unknown as EventStore, metadata(), async () => [decision(streamNames.group(TENANT, GROUP_ID), groupDecider, command)]);
  return { store, audit, at, user, group };
}

/** A user created at 10:00, renamed at 11:00 and 12:00, deleted at 13:00. */
async function userLife() {
  const world = setUp();
  const { at, user } = world;
  await user({ type: 'CreateUser', userId: USER_ID, attributes: { userName: 'ann', active: true }, at: at('2025-01-01T10:00:00.000Z') });
  await user({ type: 'ReplaceUser', userId: USER_ID, attributes: { userName: 'bob', active: true }, at: at('2025-01-01T11:00:00.000Z') });
  await user({ type: 'ReplaceUser', userId: USER_ID, attributes: { userName: 'cat', active: false }, at: at('2025-01-01T12:00:00.000Z') });
  await user({ type: 'DeleteUser', userId: USER_ID, at: at('2025-01-01T13:00:00.000Z') });
  return world;
}

describe('AuditService.history', () => {
  it('lists every event of the resource with who, when, from where and what', async () => {
    const { audit } = await userLife();
    const history = await audit.history(TENANT, 'User', USER_ID);
    expect(history.map((entry) => [entry.revision, entry.type])).toEqual([
      ['0', 'UserCreated'],
      ['1', 'UserUpdated'],
      ['2', 'UserUpdated'],
      ['3', 'UserDeleted'],
    ]);
    expect(history[1]).toMatchObject({
      tokenId: 'tok-1',
      sourceIp: '10.0.0.1',
      userAgent: 'Okta SCIM',
      requestId: `req-${Date.parse('2025-01-01T11:00:00.000Z')}`,
      occurredAt: '2025-01-01T11:00:00.000Z',
      recordedAt: '2025-01-01T11:00:00.000Z',
      data: { userId: USER_ID, attributes: { userName: 'bob', active: true } },
      previousHash: history[0].hash,
    });
    expect((history[1].data as { changes: unknown[] }).changes.length).toBeGreaterThan(0);
    expect(history[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(JSON.stringify(history))).toEqual(history);
  });

  it('pages with fromRevision and limit, and is empty for a resource that never existed', async () => {
    const { audit } = await userLife();
    expect((await audit.history(TENANT, 'User', USER_ID, { fromRevision: 1n, limit: 2 })).map((entry) => entry.revision)).toEqual(['1', '2']);
    expect(await audit.history(TENANT, 'User', 'nobody')).toEqual([]);
    expect(await audit.history('other', 'User', USER_ID)).toEqual([]);
    expect(await audit.history(TENANT, 'Group', USER_ID)).toEqual([]);
  });
});

describe('AuditService.stateAsOf', () => {
  it('is null before the creation', async () => {
    const { audit } = await userLife();
    expect(await audit.stateAsOf(TENANT, 'User', USER_ID, new Date('2025-01-01T09:59:59.999Z'))).toBeNull();
  });

  it('is the resource as it was between two updates, with the version of then', async () => {
    const { audit } = await userLife();
    const resource = await audit.stateAsOf(TENANT, 'User', USER_ID, new Date('2025-01-01T11:30:00.000Z'));
    expect(resource).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: USER_ID,
      userName: 'bob',
      active: true,
      meta: {
        resourceType: 'User',
        created: '2025-01-01T10:00:00.000Z',
        lastModified: '2025-01-01T11:00:00.000Z',
        location: `${BASE_URL}/Users/${USER_ID}`,
        version: 'W/"1"',
      },
    });
  });

  it('presents with the tenant’s own registry when given per-tenant registries', async () => {
    const { store } = await userLife();
    const asked: string[] = [];
    const perTenant = new AuditService(store as unknown as EventStore, {
      registry: { forTenant: (tenantId) => (asked.push(tenantId), registry) },
      baseUrl: BASE_URL,
    });
    expect(await perTenant.stateAsOf(TENANT, 'User', USER_ID, new Date('2025-01-01T10:30:00.000Z'))).toMatchObject({ userName: 'ann' });
    expect(asked).toEqual([TENANT]);
  });

  it('includes an event recorded exactly at asOf', async () => {
    const { audit } = await userLife();
    expect(await audit.stateAsOf(TENANT, 'User', USER_ID, new Date('2025-01-01T12:00:00.000Z'))).toMatchObject({ userName: 'cat', active: false });
  });

  it('is null after the deletion, and refuses an invalid date', async () => {
    const { audit } = await userLife();
    expect(await audit.stateAsOf(TENANT, 'User', USER_ID, new Date('2025-01-01T13:00:00.000Z'))).toBeNull();
    expect(await audit.stateAsOf(TENANT, 'User', USER_ID, new Date('2030-01-01T00:00:00.000Z'))).toBeNull();
    await expect(audit.stateAsOf(TENANT, 'User', USER_ID, new Date('not a date'))).rejects.toBeInstanceOf(RangeError);
  });

  it('presents a group with the members it had then, with their type and display', async () => {
    const { audit, at, group } = setUp();
    const [m1, m2, m3] = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000003'];
    await group({
      type: 'CreateGroup',
      groupId: GROUP_ID,
      attributes: { displayName: 'Tour Guides' },
      members: [{ value: m2, type: 'User', display: 'Bob' }, { value: m1, type: 'User', display: 'Ann' }],
      knownMembers: new Map([[m1, 'User'], [m2, 'User']]),
      at: at('2025-01-01T10:00:00.000Z'),
    });
    await group({ type: 'RemoveDeletedMember', groupId: GROUP_ID, memberId: m2, at: at('2025-01-01T11:00:00.000Z') });
    await group({
      type: 'ReplaceGroup',
      groupId: GROUP_ID,
      attributes: { displayName: 'Guides' },
      members: [{ value: m3, type: 'Group' }],
      knownMembers: new Map([[m3, 'Group']]),
      at: at('2025-01-01T12:00:00.000Z'),
    });

    const first = await audit.stateAsOf(TENANT, 'Group', GROUP_ID, new Date('2025-01-01T10:30:00.000Z'));
    expect(first).toMatchObject({
      id: GROUP_ID,
      displayName: 'Tour Guides',
      members: [
        { value: m1, $ref: `${BASE_URL}/Users/${m1}`, type: 'User', display: 'Ann' },
        { value: m2, $ref: `${BASE_URL}/Users/${m2}`, type: 'User', display: 'Bob' },
      ],
      meta: { resourceType: 'Group', version: 'W/"1"', location: `${BASE_URL}/Groups/${GROUP_ID}` },
    });
    expect((await audit.stateAsOf(TENANT, 'Group', GROUP_ID, new Date('2025-01-01T11:30:00.000Z')))!['members']).toEqual([
      { value: m1, $ref: `${BASE_URL}/Users/${m1}`, type: 'User', display: 'Ann' },
    ]);
    expect(await audit.stateAsOf(TENANT, 'Group', GROUP_ID, new Date('2025-01-01T12:30:00.000Z'))).toMatchObject({
      displayName: 'Guides',
      members: [{ value: m3, $ref: `${BASE_URL}/Groups/${m3}`, type: 'Group' }],
      meta: { version: 'W/"4"' },
    });
  });
});

describe('AuditService.verify and export', () => {
  it('verifies the tenant’s chains and exports its events as JSON lines', async () => {
    const { audit } = await userLife();
    expect(await audit.verify(TENANT)).toMatchObject({ ok: true, eventsChecked: 4, streamsChecked: 1 });
    const lines: string[] = [];
    for await (const line of audit.export(TENANT)) lines.push(line);
    expect(lines.map((line) => JSON.parse(line).type)).toEqual(['UserCreated', 'UserUpdated', 'UserUpdated', 'UserDeleted']);
    const none: string[] = [];
    for await (const line of audit.export('acm')) none.push(line);
    expect(none).toEqual([]);
  });
});
