import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The group member ids a request offered that named nothing and were skipped (the tenant's unknown-members policy
 * `skip`): the first 100 and how many in all, so an operator can see why a member is missing although the client
 * was answered a success. Existing rows skipped nothing. Adding columns with constant defaults rewrites no rows.
 */
export class AddProvisioningLogSkippedMembers1763900013400 implements MigrationInterface {
  name = 'AddProvisioningLogSkippedMembers1763900013400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE provisioning_log
        ADD COLUMN skipped_member_ids text[] NOT NULL DEFAULT '{}',
        ADD COLUMN skipped_member_count integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE provisioning_log DROP COLUMN skipped_member_ids, DROP COLUMN skipped_member_count`);
  }
}
