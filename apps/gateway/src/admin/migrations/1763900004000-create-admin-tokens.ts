import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAdminTokens1763900004000 implements MigrationInterface {
  name = 'CreateAdminTokens1763900004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE admin_tokens (
        id uuid PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        label text NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE admin_tokens`);
  }
}
