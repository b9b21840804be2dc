import type { EntityManager } from 'typeorm';
import type { UserEvent } from '#domain/user/user.events.js';
import type { RecordedEvent } from '#event-store/event-store.port.js';
import { elementsOf, getIgnoringCase } from '#scim/resource/attribute-access.js';
import { isPlainObject } from '#scim/resource/json-value.js';

export interface UserRowValues {
  tenantId: string;
  id: string;
  attributes: Record<string, unknown>;
  version: bigint;
  createdAt: string;
  lastModifiedAt: string;
}

/**
 * Applies user events to scim_users (inside the read-model projection's transaction). Every user event carries
 * the whole resource after it, so a batch collapses to one upsert per user (its last event) plus deletes: few
 * statements per batch, which matters at ~1,300 durable transactions/s on this hardware (DESIGN.md "Known traps").
 * Idempotent: a row only moves forward (`version < EXCLUDED.version`), so a replayed event changes nothing.
 */
export async function applyUserEvents(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const upserts = new Map<string, UserRowValues>();
  const deletes = new Map<string, { tenantId: string; id: string; version: bigint }>();
  for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as UserEvent;
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
          deletes.set(key, { tenantId, id: event.data.userId, version: recorded.revision });
          break;
      }
    }

  if (upserts.size > 0) await upsertUsers(manager, [...upserts.values()]);
  for (const row of deletes.values()) {
    await manager.query(`DELETE FROM scim_users WHERE tenant_id = $1 AND id = $2`, [row.tenantId, row.id]);
  }
}

/** The columns of a scim_users row that the projection derives from the resource, for filters and indexes. */
export interface DerivedUserColumns {
  readonly user_name: string;
  readonly user_name_lower: string;
  readonly external_id: string | null;
  readonly display_name: string | null;
  readonly active: boolean | null;
  readonly work_emails_lower: string[];
}

/**
 * Derives the hot columns from the attributes. Lower-casing is String#toLowerCase, the folding libs/scim's
 * filter evaluator applies to caseExact=false attributes, so the column agrees with it character for character.
 */
export function deriveUserColumns(attributes: Record<string, unknown>): DerivedUserColumns {
  const userName = String(attributes['userName'] ?? '');
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    user_name: userName,
    user_name_lower: userName.toLowerCase(),
    external_id: text(attributes['externalId']),
    display_name: text(attributes['displayName']),
    active: typeof attributes['active'] === 'boolean' ? attributes['active'] : null,
    work_emails_lower: workEmailsLower(attributes),
  };
}

/**
 * Every `emails` element with type "work" (any case), lower-cased: what `emails[type eq "work"].value eq "x"`
 * compares (RFC 7644 §3.4.2.2, any element may match). Read as the evaluator reads: names case-insensitively,
 * a lone object as one element, only string values.
 */
function workEmailsLower(attributes: Record<string, unknown>): string[] {
  return elementsOf(getIgnoringCase(attributes, 'emails')).flatMap((element) => {
    if (!isPlainObject(element)) return [];
    const type = getIgnoringCase(element, 'type');
    const value = getIgnoringCase(element, 'value');
    return typeof type === 'string' && type.toLowerCase() === 'work' && typeof value === 'string' ? [value.toLowerCase()] : [];
  });
}

/** What upsertUsers needs of a connection: TypeORM's EntityManager and QueryRunner, or a test's client adapter. */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export async function upsertUsers(executor: SqlExecutor, rows: readonly UserRowValues[]): Promise<void> {
  // One multi-row statement: jsonb_to_recordset keeps it a fixed SQL text with a single parameter.
  const payload = rows.map((row) => ({
    tenant_id: row.tenantId,
    id: row.id,
    ...deriveUserColumns(row.attributes),
    attributes: row.attributes,
    version: row.version.toString(),
    created_at: row.createdAt,
    last_modified_at: row.lastModifiedAt,
  }));
  // On update created_at is kept from the row: an update-only batch does not know it.
  await executor.query(
    `INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, active, work_emails_lower,
       attributes, version, created_at, last_modified_at)
     SELECT r.tenant_id, r.id, r.user_name, r.user_name_lower, r.external_id, r.display_name, r.active, r.work_emails_lower,
       r.attributes, r.version, r.created_at, r.last_modified_at
     FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, id uuid, user_name text, user_name_lower text, external_id text,
       display_name text, active boolean, work_emails_lower text[], attributes jsonb, version bigint, created_at timestamptz,
       last_modified_at timestamptz)
     ON CONFLICT (tenant_id, id) DO UPDATE SET
       user_name = EXCLUDED.user_name, user_name_lower = EXCLUDED.user_name_lower, external_id = EXCLUDED.external_id,
       display_name = EXCLUDED.display_name, active = EXCLUDED.active, work_emails_lower = EXCLUDED.work_emails_lower,
       attributes = EXCLUDED.attributes, version = EXCLUDED.version, last_modified_at = EXCLUDED.last_modified_at
     WHERE scim_users.version < EXCLUDED.version`,
    [JSON.stringify(payload)],
  );
}

