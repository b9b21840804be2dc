import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsersReadModel1763900000000 implements MigrationInterface {
  name = 'CreateUsersReadModel1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scim_users (
        tenant_id text NOT NULL,
        id uuid NOT NULL,
        user_name text NOT NULL,
        user_name_lower text NOT NULL,
        external_id text NULL,
        display_name text NULL,
        active boolean NULL,
        attributes jsonb NOT NULL,
        version bigint NOT NULL,
        created_at timestamptz NOT NULL,
        last_modified_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id)
      )`);
    await queryRunner.query(`CREATE INDEX scim_users_user_name_lower ON scim_users (tenant_id, user_name_lower)`);
    await queryRunner.query(`CREATE INDEX scim_users_external_id ON scim_users (tenant_id, external_id)`);
    await queryRunner.query(`
      CREATE TABLE projection_checkpoints (
        projection text PRIMARY KEY,
        commit_position bigint NOT NULL,
        prepare_position bigint NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_checkpoints`);
    await queryRunner.query(`DROP TABLE scim_users`);
  }
}
