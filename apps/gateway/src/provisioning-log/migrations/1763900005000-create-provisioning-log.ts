import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per SCIM request (docs/provisioning-log.md). Never the Authorization header, never a body. tenant_id is
 * null when the request never authenticated (401s, and requests refused before the bearer guard ran whose token
 * did not resolve either).
 */
export class CreateProvisioningLog1763900005000 implements MigrationInterface {
  name = 'CreateProvisioningLog1763900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE provisioning_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        tenant_id text NULL,
        token_id text NULL,
        request_id text NULL,
        method text NOT NULL,
        path text NOT NULL,
        query text NULL,
        resource_type text NULL,
        resource_id text NULL,
        status smallint NOT NULL,
        duration_ms double precision NOT NULL,
        scim_type text NULL,
        detail text NULL,
        event_ids text[] NOT NULL DEFAULT '{}',
        dry_run boolean NOT NULL DEFAULT false
      )`);
    // Every query is one tenant's (or the unauthenticated rows, tenant_id IS NULL), newest first by (at, id).
    await queryRunner.query(`CREATE INDEX provisioning_log_tenant_at ON provisioning_log (tenant_id, at DESC, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX provisioning_log_tenant_resource ON provisioning_log (tenant_id, resource_type, resource_id, at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX provisioning_log_tenant_status ON provisioning_log (tenant_id, status, at DESC, id DESC)`);
    // No index on at alone: retention walks the primary key (rows arrive in time order), see ProvisioningLogStore.
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE provisioning_log`);
  }
}
