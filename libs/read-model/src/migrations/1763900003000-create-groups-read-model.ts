import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Groups and their members. Members live in their own table keyed (tenant, group, member), so adding one
 * member is one row whatever the group's size, `excludedAttributes=members` never touches it, and "the groups
 * of user X" is an index lookup (DESIGN.md "Read model").
 */
export class CreateGroupsReadModel1763900003000 implements MigrationInterface {
  name = 'CreateGroupsReadModel1763900003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scim_groups (
        tenant_id text NOT NULL,
        id uuid NOT NULL,
        display_name text NOT NULL,
        display_name_lower text NOT NULL,
        external_id text NULL,
        attributes jsonb NOT NULL,
        version bigint NOT NULL,
        created_at timestamptz NOT NULL,
        last_modified_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id)
      )`);
    await queryRunner.query(`CREATE INDEX scim_groups_display_name_lower ON scim_groups (tenant_id, display_name_lower)`);
    await queryRunner.query(`CREATE INDEX scim_groups_external_id ON scim_groups (tenant_id, external_id)`);
    await queryRunner.query(`
      CREATE TABLE scim_group_members (
        tenant_id text NOT NULL,
        group_id uuid NOT NULL,
        member_id text NOT NULL,
        member_type text NULL,
        display text NULL,
        PRIMARY KEY (tenant_id, group_id, member_id)
      )`);
    await queryRunner.query(`CREATE INDEX scim_group_members_member ON scim_group_members (tenant_id, member_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scim_group_members`);
    await queryRunner.query(`DROP TABLE scim_groups`);
  }
}
