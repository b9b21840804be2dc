import type { EntityManager } from 'typeorm';
import { assertNever } from '#domain/decider.js';
import { decodeGroupEvent, type GroupEvent, type GroupMember } from '#domain/group/group.events.js';
import { foreignEvent } from '#domain/stored-event.js';
import type { RecordedEvent } from '#event-store/event-store.port.js';

/**
 * Applies group events to scim_groups and scim_group_members (inside the read-model projection's transaction).
 * Membership deltas are applied as row inserts and deletes, so one member costs the same in any group.
 * Idempotent: each event first moves the group's version forward (`version < revision`); an event the row has
 * already seen changes nothing.
 */
export async function applyGroupEvents(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  for (const recorded of events) {
    await applyGroupEvent(manager, recorded.metadata.tenantId, recorded.revision, decodeGroupEvent(recorded) ?? foreignEvent(recorded, 'a group event'));
  }
}

async function applyGroupEvent(manager: EntityManager, tenantId: string, revision: bigint, event: GroupEvent): Promise<void> {
  const { groupId, at } = event.data;
  if (event.type === 'GroupCreated') {
    const { displayName, externalId } = hotAttributes(event.data.attributes);
    await manager.query(
      `INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, attributes, version, created_at, last_modified_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (tenant_id, id) DO NOTHING`,
      [tenantId, groupId, displayName, displayName.toLowerCase(), externalId, event.data.attributes, revision.toString(), at],
    );
    return;
  }
  if (event.type === 'GroupDeleted') {
    await manager.query(`DELETE FROM scim_group_members WHERE tenant_id = $1 AND group_id = $2`, [tenantId, groupId]);
    await manager.query(`DELETE FROM scim_groups WHERE tenant_id = $1 AND id = $2`, [tenantId, groupId]);
    return;
  }
  // Every other event moves the row forward first; nothing more happens for an event already applied.
  const moved: unknown[] = await manager.query(
    `UPDATE scim_groups SET version = $3, last_modified_at = $4 WHERE tenant_id = $1 AND id = $2 AND version < $3 RETURNING id`,
    [tenantId, groupId, revision.toString(), at],
  );
  if (moved.length === 0) return;
  switch (event.type) {
    case 'GroupUpdated': {
      const { displayName, externalId } = hotAttributes(event.data.attributes);
      await manager.query(
        `UPDATE scim_groups SET display_name = $3, display_name_lower = $4, external_id = $5, attributes = $6 WHERE tenant_id = $1 AND id = $2`,
        [tenantId, groupId, displayName, displayName.toLowerCase(), externalId, event.data.attributes],
      );
      return;
    }
    case 'GroupMembersAdded':
      await insertMembers(manager, tenantId, groupId, event.data.members);
      return;
    case 'GroupMembersRemoved':
      await manager.query(`DELETE FROM scim_group_members WHERE tenant_id = $1 AND group_id = $2 AND member_id = ANY($3::text[])`, [
        tenantId,
        groupId,
        event.data.memberIds,
      ]);
      return;
    case 'GroupMembersReplaced':
      await manager.query(`DELETE FROM scim_group_members WHERE tenant_id = $1 AND group_id = $2`, [tenantId, groupId]);
      await insertMembers(manager, tenantId, groupId, event.data.members);
      return;
    default:
      // Narrowed by the returns above: every type not handled before this switch must be handled in it.
      assertNever(event);
  }
}

async function insertMembers(manager: EntityManager, tenantId: string, groupId: string, members: readonly GroupMember[]): Promise<void> {
  if (members.length === 0) return;
  await manager.query(
    `INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type, display)
     SELECT $1, $2, m.value, m.type, m.display FROM jsonb_to_recordset($3::jsonb) AS m(value text, type text, display text)
     ON CONFLICT (tenant_id, group_id, member_id) DO UPDATE SET member_type = EXCLUDED.member_type, display = EXCLUDED.display`,
    [tenantId, groupId, JSON.stringify(members)],
  );
}

function hotAttributes(attributes: Readonly<Record<string, unknown>>): { displayName: string; externalId: string | null } {
  return {
    displayName: String(attributes['displayName'] ?? ''),
    externalId: typeof attributes['externalId'] === 'string' ? attributes['externalId'] : null,
  };
}
