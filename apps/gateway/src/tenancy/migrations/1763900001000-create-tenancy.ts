import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenancy1763900001000 implements MigrationInterface {
  name = 'CreateTenancy1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id text PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('active', 'disabled')),
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE scim_tokens (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants (id),
        token_hash text NOT NULL,
        label text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NULL,
        revoked_at timestamptz NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX scim_tokens_token_hash ON scim_tokens (token_hash)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scim_tokens`);
    await queryRunner.query(`DROP TABLE tenants`);
  }
}
