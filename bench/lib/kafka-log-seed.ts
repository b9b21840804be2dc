import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { foldEvents, type DomainEvent } from '#domain/decider.js';
import { groupDecider, type GroupState } from '#domain/group/group.decider.js';
import { streamNames } from '#domain/stream-names.js';
import { uniqueKeyDecider } from '#domain/unique-key/unique-key.decider.js';
import { userDecider, type UserState } from '#domain/user/user.decider.js';
import { CURRENT_SCHEMA_VERSION } from '#event-store/command.loop.js';
import type { EventMetadata } from '#event-store/event-store.port.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { EVENTS_TABLE, STREAMS_TABLE } from '#event-store/postgres/postgres.schema.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { uniqueKeysOf } from '../../apps/gateway/src/unique-keys.js';
import { parseUserResource } from '../../apps/gateway/src/users/user-input.js';
import { CORE_GROUP, entraUserBody } from './entra.js';

/**
 * A provisioning history for the Kafka replay benchmark (scenario f), decided by the gateway's own deciders and
 * written in bulk straight into the adapter's tables (as bench/lib/seed.ts does for scenario b, but with streams of
 * several revisions):
 *  1. `users` users created (UserCreated + the userName reservation, which is not published);
 *  2. per user one PATCH (every tenth deactivates the user, the rest change displayName and department):
 *     UserUpdated at revision 1;
 *  3. `groups` groups created (GroupCreated + the displayName reservation), each followed by one PATCH adding `groupSize`
 *     of the users (GroupMembersAdded at revision 1, which needs the group's attributes to be published).
 * Each statement is one transaction of up to `chunk` rows, so the log has several thousand commits.
 */

const registry = new SchemaRegistry();

export interface KafkaLogSeedResult {
  /** Events the Kafka projection publishes (user and group events). */
  readonly publishedEvents: number;
  /** Every event stored, reservations included. */
  readonly storedEvents: number;
  readonly ms: number;
}

interface Row {
  stream_name: string;
  revision: number;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: unknown;
  ord: number;
}

export async function seedKafkaLog(
  connectionString: string,
  tenantId: string,
  sizes: { readonly users: number; readonly groups: number; readonly groupSize: number; readonly chunk?: number },
): Promise<KafkaLogSeedResult> {
  const started = performance.now();
  const store = await PostgresEventStore.create(connectionString, { poolSize: 1 }); // creates the event store schema
  await store.close();
  const chunk = sizes.chunk ?? 3000;
  const client = new pg.Client({ connectionString });
  await client.connect();
  let rows: Row[] = [];
  let published = 0;
  let stored = 0;
  const flush = async (): Promise<void> => {
    if (rows.length === 0) return;
    await insertRows(client, rows);
    rows = [];
  };
  const push = async (streamName: string, revision: number, events: readonly DomainEvent[], meta: EventMetadata, isPublished: boolean): Promise<void> => {
    for (const [index, event] of events.entries()) {
      rows.push({ stream_name: streamName, revision: revision + index, event_id: randomUUID(), event_type: event.type, data: event.data, metadata: meta, ord: rows.length });
      stored++;
      if (isPublished) published++;
    }
    if (rows.length >= chunk) await flush();
  };
  const meta = (at: string, request: number): EventMetadata => ({
    tenantId,
    tokenId: null,
    requestId: `seed-${request}`,
    correlationId: `00000000-0000-4000-8000-${String(request).padStart(12, '0')}`,
    sourceIp: '127.0.0.1',
    userAgent: 'scim-bench-seed',
    occurredAt: at,
  });
  try {
    let request = 0;
    const userIds: string[] = [];
    const userStates: UserState[] = [];
    for (let n = 0; n < sizes.users; n++) {
      const at = new Date().toISOString();
      const userId = randomUUID();
      const keys = { userName: `replay.user${n}@contoso.com`, externalId: randomUUID(), workEmail: `replay.user${n}.work@mail.contoso.com` };
      const attributes = parseUserResource(entraUserBody(n, keys), { registry, unknownAttributes: 'reject' });
      const events = userDecider.decide({ type: 'CreateUser', userId, attributes, at }, userDecider.initialState);
      const m = meta(at, request++);
      await push(streamNames.user(tenantId, userId), 0, events, m, true);
      for (const { kind, key } of uniqueKeysOf(registry, 'User', attributes)) {
        const reserved = uniqueKeyDecider.decide({ type: 'ReserveUniqueKey', kind, key, ownerId: userId, at }, uniqueKeyDecider.initialState);
        await push(streamNames.uniqueKey(tenantId, kind, key), 0, reserved, m, false);
      }
      userIds.push(userId);
      userStates.push(foldEvents(userDecider, events));
    }
    for (let n = 0; n < sizes.users; n++) {
      const at = new Date().toISOString();
      const operations =
        n % 10 === 0
          ? [{ op: 'Replace', path: 'active', value: 'False' }]
          : [
              { op: 'Replace', path: 'displayName', value: `Renamed User ${n}` },
              { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Treasury' },
            ];
      const events = userDecider.decide({ type: 'PatchUser', userId: userIds[n], operations, registry, unknownAttributes: 'reject', at }, userStates[n]);
      await push(streamNames.user(tenantId, userIds[n]), 1, events, meta(at, request++), true);
    }
    for (let g = 0; g < sizes.groups; g++) {
      const at = new Date().toISOString();
      const groupId = randomUUID();
      const stream = streamNames.group(tenantId, groupId);
      const attributes = { schemas: [CORE_GROUP], displayName: `Replay Group ${g}`, externalId: randomUUID() };
      const created = groupDecider.decide({ type: 'CreateGroup', groupId, attributes, members: [], knownMembers: new Map(), at }, groupDecider.initialState);
      const m = meta(at, request++);
      await push(stream, 0, created, m, true);
      for (const { kind, key } of uniqueKeysOf(registry, 'Group', attributes)) {
        const reserved = uniqueKeyDecider.decide({ type: 'ReserveUniqueKey', kind, key, ownerId: groupId, at }, uniqueKeyDecider.initialState);
        await push(streamNames.uniqueKey(tenantId, kind, key), 0, reserved, m, false);
      }
      const state: GroupState = foldEvents(groupDecider, created);
      const value = Array.from({ length: sizes.groupSize }, (_, k) => ({ value: userIds[(g * sizes.groupSize + k) % Math.max(1, userIds.length)] ?? randomUUID(), type: 'User' }));
      const added = groupDecider.decide(
        { type: 'PatchGroup', groupId, operations: [{ op: 'add', path: 'members', value }], registry, unknownAttributes: 'reject', knownMembers: new Map(value.map((m) => [m.value, 'User'])), at },
        state,
      );
      await push(stream, created.length, added, meta(at, request++), true);
    }
    await flush();
  } finally {
    await client.end();
  }
  return { publishedEvents: published, storedEvents: stored, ms: performance.now() - started };
}

/** Rows of several streams in one statement (one transaction), in `ord` order; a stream's row holds its last revision. */
async function insertRows(client: pg.Client, rows: readonly Row[]): Promise<void> {
  await client.query(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(stream_name text, revision bigint, event_id uuid, event_type text, data jsonb, metadata jsonb, ord int)
     ), streams AS (
       INSERT INTO ${STREAMS_TABLE} (stream_name, revision)
       SELECT stream_name, max(revision) FROM input GROUP BY stream_name
       ON CONFLICT (stream_name) DO UPDATE SET revision = GREATEST(${STREAMS_TABLE}.revision, EXCLUDED.revision)
     )
     INSERT INTO ${EVENTS_TABLE} (stream_name, stream_revision, event_id, event_type, schema_version, data, metadata)
     SELECT stream_name, revision, event_id, event_type, ${CURRENT_SCHEMA_VERSION}, data, metadata FROM input ORDER BY ord`,
    [JSON.stringify(rows)],
  );
}
