import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 7, the admin API: a tenant's display name and when it was disabled; a token's last use and its rotation
 * chain (rotated_from on the new token, replaced_by on the old one). All nullable, so existing rows stay valid.
 */
export class AddTenantAdministration1763900007000 implements MigrationInterface {
  name = 'AddTenantAdministration1763900007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE tenants ADD COLUMN display_name text NULL, ADD COLUMN disabled_at timestamptz NULL`);
    await queryRunner.query(`UPDATE tenants SET disabled_at = now() WHERE status = 'disabled'`);
    await queryRunner.query(
      `ALTER TABLE scim_tokens ADD COLUMN last_used_at timestamptz NULL, ADD COLUMN rotated_from uuid NULL, ADD COLUMN replaced_by uuid NULL`,
    );
    await queryRunner.query(`CREATE INDEX scim_tokens_tenant ON scim_tokens (tenant_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX scim_tokens_tenant`);
    await queryRunner.query(`ALTER TABLE scim_tokens DROP COLUMN replaced_by, DROP COLUMN rotated_from, DROP COLUMN last_used_at`);
    await queryRunner.query(`ALTER TABLE tenants DROP COLUMN disabled_at, DROP COLUMN display_name`);
  }
}
