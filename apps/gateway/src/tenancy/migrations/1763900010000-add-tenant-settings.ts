import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: each tenant's provisioning settings (docs/admin.md "Tenant settings"). Tenants that exist when this
 * runs keep externalId unique, with the reservations they hold: turning that off moves data (it releases them,
 * with events), so it is the operator's call, through the admin API. Their unknown-member policy becomes `skip`,
 * the default: it changes no stored data, only answers a push that named an unknown member with success instead
 * of a 400. The column defaults are only for those rows: the gateway names both columns on every insert, with
 * the deployment's defaults (SCIM_EXTERNAL_ID_UNIQUENESS, SCIM_UNKNOWN_GROUP_MEMBERS).
 * A change of either bumps tenant_schemas_generation, which every process polls for its tenant schemas and settings.
 */
export class AddTenantSettings1763900010000 implements MigrationInterface {
  name = 'AddTenantSettings1763900010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE tenants
         ADD COLUMN external_id_uniqueness text NOT NULL DEFAULT 'server' CHECK (external_id_uniqueness IN ('none', 'server')),
         ADD COLUMN unknown_group_members text NOT NULL DEFAULT 'skip' CHECK (unknown_group_members IN ('skip', 'reject'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE tenants DROP COLUMN unknown_group_members, DROP COLUMN external_id_uniqueness`);
  }
}
