import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The work-email GIN index (`scim_users_work_emails_lower`, Entra's `emails[type eq "work"].value eq` filter)
 * without GIN's fast-update pending list.
 *
 * With `fastupdate` on (PostgreSQL's default) new entries go to an unsorted pending list that only VACUUM,
 * autovacuum or `gin_clean_pending_list` merge into the index, and every lookup reads the whole list. PGlite
 * runs no autovacuum, so after the projection had written 100,000 users every work-email lookup read the 132
 * pages of the list (13-45 ms per statement; 4 pages after a VACUUM, docs/benchmarks.md "Where the time goes" A).
 * Each user adds one or two entries, so inserting them into the index directly costs the projection little.
 *
 * Turning the option off does not flush what the list already holds: the migration merges it once.
 */
export class WorkEmailsIndexWithoutPendingList1763900008000 implements MigrationInterface {
  name = 'WorkEmailsIndexWithoutPendingList1763900008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER INDEX scim_users_work_emails_lower SET (fastupdate = off)`);
    await queryRunner.query(`SELECT gin_clean_pending_list('scim_users_work_emails_lower'::regclass)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER INDEX scim_users_work_emails_lower RESET (fastupdate)`);
  }
}
