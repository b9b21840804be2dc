import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: each tenant's provisioning settings (docs/admin.md "Tenant settings").
 *
 * external_id_uniqueness is stored for every tenant, because changing it moves data (reservations, with events):
 * a new tenant gets SCIM_EXTERNAL_ID_UNIQUENESS when it is created (the gateway names the column on every
 * insert), and tenants that exist when this runs keep `server` with the reservations they hold; turning it off is
 * the operator's call, through the admin API. The column default is only for those rows.
 *
 * unknown_group_members changes only answers, never stored data, so NULL means "the deployment's default"
 * (SCIM_UNKNOWN_GROUP_MEMBERS, `skip` unless set) until the admin API gives the tenant its own.
 * A change of either bumps tenant_schemas_generation, which every process polls for its tenant schemas and settings.
 */
export class AddTenantSettings1763900010000 implements MigrationInterface {
  name = 'AddTenantSettings1763900010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE tenants
         ADD COLUMN external_id_uniqueness text NOT NULL DEFAULT 'server' CHECK (external_id_uniqueness IN ('none', 'server')),
         ADD COLUMN unknown_group_members text NULL CHECK (unknown_group_members IN ('skip', 'reject'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE tenants DROP COLUMN unknown_group_members, DROP COLUMN external_id_uniqueness`);
  }
}
