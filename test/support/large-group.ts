import type { TestGateway } from './test-gateway.js';

export interface LargeGroup {
  readonly groupId: string;
  readonly displayName: string;
  /** The id and userName of the n-th member (1-based); member ids sort in n order. */
  memberIdOf(n: number): string;
  userNameOf(n: number): string;
  /** Deletes the rows again (the PostgreSQL server's database is shared by the e2e suites). */
  remove(): Promise<void>;
}

/**
 * A group of `size` users written straight into the read model with generate_series (what the directory reads),
 * not through SCIM: 100,000 SCIM calls would take far longer than the test is about. The users' ids are
 * `00000000-0000-4000-8000-<n, 12 digits>`, so member id order is n order.
 */
export async function seedLargeGroup(gateway: TestGateway, tenantId: string, size: number, displayName = 'Everyone at scale'): Promise<LargeGroup> {
  const groupId = '00000000-0000-4000-9000-000000000001';
  const memberIdOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const userNameOf = (n: number) => `member-${String(n).padStart(6, '0')}@scale.example`;
  const data = gateway.runtime.dataSource;
  await data.query(
    `INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, active, attributes, version, created_at, last_modified_at)
     SELECT $1, ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, u.name, u.name, NULL, NULL, true,
            jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'), 'userName', u.name, 'active', true),
            0, now(), now()
     FROM generate_series(1, $2::int) AS n, LATERAL (SELECT 'member-' || lpad(n::text, 6, '0') || '@scale.example' AS name) AS u`,
    [tenantId, size],
  );
  await data.query(
    `INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, attributes, version, created_at, last_modified_at)
     VALUES ($1, $2, $3, lower($3), NULL, jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:Group'), 'displayName', $3::text), 0, now(), now())`,
    [tenantId, groupId, displayName],
  );
  await data.query(
    `INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type, display)
     SELECT $1, $2::uuid, '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 'User', 'member-' || lpad(n::text, 6, '0') || '@scale.example'
     FROM generate_series(1, $3::int) AS n`,
    [tenantId, groupId, size],
  );
  await data.query(`ANALYZE scim_users`);
  await data.query(`ANALYZE scim_group_members`);
  return {
    groupId,
    displayName,
    memberIdOf,
    userNameOf,
    async remove() {
      await data.query(`DELETE FROM scim_group_members WHERE tenant_id = $1`, [tenantId]);
      await data.query(`DELETE FROM scim_groups WHERE tenant_id = $1`, [tenantId]);
      await data.query(`DELETE FROM scim_users WHERE tenant_id = $1`, [tenantId]);
    },
  };
}
