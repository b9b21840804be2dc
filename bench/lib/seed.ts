import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { groupDecider, type GroupState } from '#domain/group/group.decider.js';
import { streamNames } from '#domain/stream-names.js';
import { uniqueKeyDecider } from '#domain/unique-key/unique-key.decider.js';
import { userDecider } from '#domain/user/user.decider.js';
import { foldEvents, type DomainEvent } from '#domain/decider.js';
import { CURRENT_SCHEMA_VERSION } from '#event-store/command.loop.js';
import type { EventMetadata, NewEvent, StreamAppend } from '#event-store/event-store.port.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { EVENTS_TABLE, STREAMS_TABLE } from '#event-store/postgres/postgres.schema.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { uniqueKeysOf } from '../../apps/gateway/src/unique-keys.js';
import { parseUserResource } from '../../apps/gateway/src/users/user-input.js';
import { CORE_GROUP, entraUserBody, type BenchUserKeys } from './entra.js';

/**
 * Seeds the event store with the gateway's own events, built the way the gateway builds them: the POST body goes
 * through the gateway's input parser (parseUserResource), the user decider decides UserCreated, and the
 * unique-key decider decides the reservations of the keys the schema declares unique (userName; externalId too
 * only for a tenant that turned its uniqueness on, which the seeded one has not). Then the gateway, started on the seeded
 * store, projects them like any other events.
 */

const TENANT = 'default';
const registry = new SchemaRegistry();

function metadata(at: string): EventMetadata {
  return { tenantId: TENANT, tokenId: null, requestId: null, correlationId: null, sourceIp: '127.0.0.1', userAgent: 'scim-bench-seed', occurredAt: at };
}

function toNewEvents(events: readonly DomainEvent[], meta: EventMetadata): NewEvent[] {
  return events.map((event) => ({ id: randomUUID(), type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION, data: event.data, metadata: meta }));
}

/** Keys of seeded user n (0-based): deterministic, so the filter GETs can ask for any of them. */
export function seededUserKeys(n: number): BenchUserKeys {
  const hex = createHash('md5').update(`external-${n}`).digest('hex');
  const externalId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return { userName: `Seed.User${n}@contoso.com`, externalId, workEmail: `seed.user${n}.work@mail.contoso.com` };
}

/** One user's appends: its stream (UserCreated) and its reservation streams (uniqueKeysOf), all new. */
function userAppends(n: number, at: string): StreamAppend[] {
  const userId = randomUUID();
  const attributes = parseUserResource(entraUserBody(n, seededUserKeys(n)), { registry, unknownAttributes: 'reject' });
  const meta = metadata(at);
  const appends: StreamAppend[] = [
    {
      streamName: streamNames.user(TENANT, userId),
      expectedRevision: 'no-stream',
      events: toNewEvents(userDecider.decide({ type: 'CreateUser', userId, attributes, at }, userDecider.initialState), meta),
    },
  ];
  for (const { kind, key } of uniqueKeysOf(registry, 'User', attributes)) {
    const events = uniqueKeyDecider.decide({ type: 'ReserveUniqueKey', kind, key, ownerId: userId, at }, uniqueKeyDecider.initialState);
    appends.push({ streamName: streamNames.uniqueKey(TENANT, kind, key), expectedRevision: 'no-stream', events: toNewEvents(events, meta) });
  }
  return appends;
}

export interface UserSeedResult {
  readonly users: number;
  /** Users appended through the adapter's appendToStreams (multi-stream appends of `portBatch` users). */
  readonly viaPortUsers: number;
  readonly viaPortMs: number;
  readonly viaPortUsersPerSecond: number;
  /** The rest: the same events in bulk INSERT ... SELECT statements, `bulkBatch` users per transaction. */
  readonly bulkUsers: number;
  readonly bulkMs: number;
  readonly bulkUsersPerSecond: number;
  readonly events: number;
}

/**
 * `count` users. The first `viaPort` go through PostgresEventStore.appendToStreams (the gateway's adapter:
 * one statement per stream, three streams per user); that path runs at a few hundred users per second here, so
 * the rest are written with the same rows in large INSERT ... SELECT statements straight into the adapter's
 * tables (event_store.streams and event_store.events; positions, ids and recorded_at from the same defaults).
 */
export async function seedUsers(connectionString: string, count: number, options: { viaPort: number; portBatch?: number; bulkBatch?: number }): Promise<UserSeedResult> {
  const at = new Date().toISOString();
  const store = await PostgresEventStore.create(connectionString, { poolSize: 2 }); // creates the event store schema
  const viaPort = Math.min(count, options.viaPort);
  const portBatch = options.portBatch ?? 100;
  const bulkBatch = options.bulkBatch ?? 2500;
  let events = 0;
  let started = performance.now();
  try {
    for (let first = 0; first < viaPort; first += portBatch) {
      const appends: StreamAppend[] = [];
      for (let n = first; n < Math.min(viaPort, first + portBatch); n++) appends.push(...userAppends(n, at));
      await store.appendToStreams(appends);
      events += appends.length;
    }
  } finally {
    await store.close();
  }
  const viaPortMs = performance.now() - started;

  started = performance.now();
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    for (let first = viaPort; first < count; first += bulkBatch) {
      const rows: { stream_name: string; event_id: string; event_type: string; data: unknown; metadata: unknown; ord: number }[] = [];
      for (let n = first; n < Math.min(count, first + bulkBatch); n++) {
        for (const append of userAppends(n, at)) {
          for (const event of append.events) {
            rows.push({ stream_name: append.streamName, event_id: event.id, event_type: event.type, data: event.data, metadata: event.metadata, ord: rows.length });
          }
        }
      }
      await insertNewStreams(client, rows);
      events += rows.length;
    }
  } finally {
    await client.end();
  }
  const bulkMs = performance.now() - started;
  const bulkUsers = Math.max(0, count - viaPort);
  return {
    users: count,
    viaPortUsers: viaPort,
    viaPortMs,
    viaPortUsersPerSecond: viaPort === 0 ? 0 : viaPort / (viaPortMs / 1000),
    bulkUsers,
    bulkMs,
    bulkUsersPerSecond: bulkUsers === 0 ? 0 : bulkUsers / (bulkMs / 1000),
    events,
  };
}

/**
 * New streams of one event each (revision 0), in one statement (one transaction): what appendToStreams with
 * `no-stream` writes for them, without a round trip per stream.
 */
async function insertNewStreams(
  client: pg.Client,
  rows: readonly { stream_name: string; event_id: string; event_type: string; data: unknown; metadata: unknown; ord: number }[],
): Promise<void> {
  await client.query(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(stream_name text, event_id uuid, event_type text, data jsonb, metadata jsonb, ord int)
     ), streams AS (
       INSERT INTO ${STREAMS_TABLE} (stream_name, revision) SELECT stream_name, 0 FROM input
     )
     INSERT INTO ${EVENTS_TABLE} (stream_name, stream_revision, event_id, event_type, schema_version, data, metadata)
     SELECT stream_name, 0, event_id, event_type, ${CURRENT_SCHEMA_VERSION}, data, metadata FROM input ORDER BY ord`,
    [JSON.stringify(rows)],
  );
}

export interface SeededGroup {
  readonly id: string;
  readonly displayName: string;
  readonly members: number;
}

/**
 * A group created as the gateway creates one (GroupCreated and its displayName reservation in one
 * multi-stream append), then `members` members added through the group decider's PATCH path in appends of
 * `chunk` members (one GroupMembersAdded each), through the adapter. Member ids are fresh UUIDs, declared to the
 * decider as users (the gateway would look each new member up; this seed writes the events it would write).
 */
export async function seedGroup(connectionString: string, displayName: string, members: number, chunk = 1000): Promise<SeededGroup & { ms: number }> {
  const started = performance.now();
  const store = await PostgresEventStore.create(connectionString, { poolSize: 2 });
  try {
    const at = new Date().toISOString();
    const meta = metadata(at);
    const groupId = randomUUID();
    const stream = streamNames.group(TENANT, groupId);
    const attributes = { schemas: [CORE_GROUP], displayName, externalId: randomUUID() };
    const created = groupDecider.decide({ type: 'CreateGroup', groupId, attributes, members: [], knownMembers: new Map(), at }, groupDecider.initialState);
    const appends: StreamAppend[] = [{ streamName: stream, expectedRevision: 'no-stream', events: toNewEvents(created, meta) }];
    for (const { kind, key } of uniqueKeysOf(registry, 'Group', attributes)) {
      const events = uniqueKeyDecider.decide({ type: 'ReserveUniqueKey', kind, key, ownerId: groupId, at }, uniqueKeyDecider.initialState);
      appends.push({ streamName: streamNames.uniqueKey(TENANT, kind, key), expectedRevision: 'no-stream', events: toNewEvents(events, meta) });
    }
    await store.appendToStreams(appends);
    let state: GroupState = foldEvents(groupDecider, created);
    let revision = BigInt(created.length - 1);
    for (let added = 0; added < members; added += chunk) {
      const value = Array.from({ length: Math.min(chunk, members - added) }, () => ({ value: randomUUID(), type: 'User' }));
      const events = groupDecider.decide(
        { type: 'PatchGroup', groupId, operations: [{ op: 'add', path: 'members', value }], registry, unknownAttributes: 'reject', knownMembers: new Map(value.map((m) => [m.value, 'User'])), at },
        state,
      );
      const result = await store.appendToStream({ streamName: stream, expectedRevision: revision, events: toNewEvents(events, meta) });
      state = foldEvents(groupDecider, events, state);
      revision = result.nextRevision;
    }
    return { id: groupId, displayName, members, ms: performance.now() - started };
  } finally {
    await store.close();
  }
}
