import { assertNever } from '#domain/decider.js';
import { foreignEvent } from '#domain/stored-event.js';
import { decodeUserEvent } from '#domain/user/user.events.js';
import type { RecordedEvent } from '#event-store/event-store.port.js';
import { deriveUserColumns, USER_COLUMNS, type SqlExecutor } from './user-columns.js';

export interface UserRowValues {
  tenantId: string;
  id: string;
  attributes: Record<string, unknown>;
  version: bigint;
  createdAt: string;
  lastModifiedAt: string;
}

/** What a batch of user events does to scim_users: the last state of each user it changed, and the users it deleted. */
export interface UserRowChanges {
  readonly upserts: readonly UserRowValues[];
  readonly deletes: readonly { readonly tenantId: string; readonly id: string }[];
}

/**
 * Collapses user events to row changes. Every user event carries the whole resource after it, so a batch becomes
 * one upsert per user (its last event) plus deletes: few statements per batch, which matters at ~1,300 durable
 * transactions/s on this hardware (DESIGN.md "Known traps"). A user created again after a delete in the same
 * batch (ids are never reused, so only in theory) is both deleted and upserted: see applyUserEvents.
 */
export function collapseUserEvents(events: readonly RecordedEvent[]): UserRowChanges {
  const upserts = new Map<string, UserRowValues>();
  const deletes = new Map<string, { tenantId: string; id: string }>();
  for (const recorded of events) {
    const event = decodeUserEvent(recorded) ?? foreignEvent(recorded, 'a user event');
    const tenantId = recorded.metadata.tenantId;
    const key = `${tenantId}/${event.data.userId}`;
    switch (event.type) {
      case 'UserCreated':
      case 'UserUpdated': {
        const previous = upserts.get(key);
        upserts.set(key, {
          tenantId,
          id: event.data.userId,
          attributes: event.data.attributes as Record<string, unknown>,
          version: recorded.revision,
          createdAt: event.type === 'UserCreated' ? event.data.at : (previous?.createdAt ?? event.data.at),
          lastModifiedAt: event.data.at,
        });
        break;
      }
      case 'UserDeleted':
        upserts.delete(key);
        deletes.set(key, { tenantId, id: event.data.userId });
        break;
      default:
        assertNever(event);
    }
  }
  return { upserts: [...upserts.values()], deletes: [...deletes.values()] };
}

/**
 * Applies user row changes (inside the read-model projection's transaction): the deletes, then the upserts.
 * Idempotent: a row only moves forward (`version < EXCLUDED.version`), so a replayed event changes nothing.
 */
export async function applyUserEvents(executor: SqlExecutor, changes: UserRowChanges): Promise<void> {
  if (changes.deletes.length > 0) await executor.query(deleteUsersSql('$1'), [deletesPayload(changes.deletes)]);
  if (changes.upserts.length > 0) await upsertUsers(executor, changes.upserts);
}

/** `DELETE` of the users in a JSON array of {tenant_id, id} (`parameter`). */
export function deleteUsersSql(parameter: string): string {
  return `DELETE FROM scim_users u USING jsonb_to_recordset(${parameter}::jsonb) AS d(tenant_id text, id uuid)
     WHERE u.tenant_id = d.tenant_id AND u.id = d.id`;
}

export function deletesPayload(deletes: UserRowChanges['deletes']): string {
  return JSON.stringify(deletes.map((row) => ({ tenant_id: row.tenantId, id: row.id })));
}


export async function upsertUsers(executor: SqlExecutor, rows: readonly UserRowValues[]): Promise<void> {
  await executor.query(upsertUsersSql('$1'), [upsertsPayload(rows)]);
}

/** The upsert's one parameter: the rows with their derived columns, as a JSON array. */
export function upsertsPayload(rows: readonly UserRowValues[]): string {
  return JSON.stringify(
    rows.map((row) => ({
      tenant_id: row.tenantId,
      id: row.id,
      ...deriveUserColumns(row.attributes),
      attributes: row.attributes,
      version: row.version.toString(),
      created_at: row.createdAt,
      last_modified_at: row.lastModifiedAt,
    })),
  );
}

/**
 * One multi-row upsert of the rows in a JSON array (`parameter`, see upsertsPayload): jsonb_to_recordset keeps it
 * a fixed SQL text with a single parameter. The derived columns are those of USER_COLUMNS (user-columns.ts). On
 * update created_at is kept from the row: an update-only batch does not know it.
 */
export function upsertUsersSql(parameter: string): string {
  return `INSERT INTO scim_users (tenant_id, id, ${DERIVED_NAMES}, attributes, version, created_at, last_modified_at)
     SELECT r.tenant_id, r.id, ${DERIVED_SELECTED}, r.attributes, r.version, r.created_at, r.last_modified_at
     FROM jsonb_to_recordset(${parameter}::jsonb) AS r(tenant_id text, id uuid, ${DERIVED_TYPED}, attributes jsonb, version bigint,
       created_at timestamptz, last_modified_at timestamptz)
     ON CONFLICT (tenant_id, id) DO UPDATE SET
       ${DERIVED_UPDATED},
       attributes = EXCLUDED.attributes, version = EXCLUDED.version, last_modified_at = EXCLUDED.last_modified_at
     WHERE scim_users.version < EXCLUDED.version`;
}

const DERIVED_NAMES = USER_COLUMNS.map((column) => column.name).join(', ');
const DERIVED_SELECTED = USER_COLUMNS.map((column) => `r.${column.name}`).join(', ');
const DERIVED_TYPED = USER_COLUMNS.map((column) => `${column.name} ${column.sqlType}`).join(', ');
const DERIVED_UPDATED = USER_COLUMNS.map((column) => `${column.name} = EXCLUDED.${column.name}`).join(', ');
