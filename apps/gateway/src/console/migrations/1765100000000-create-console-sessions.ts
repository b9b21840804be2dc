import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Console sign-ins (docs/console.md "Sessions"): the session id is stored only as its SHA-256, like every token. */
export class CreateConsoleSessions1765100000000 implements MigrationInterface {
  name = 'CreateConsoleSessions1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE console_sessions (
        id_hash text PRIMARY KEY,
        admin_token_id uuid NOT NULL REFERENCES admin_tokens (id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        idle_expires_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX console_sessions_admin_token ON console_sessions (admin_token_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE console_sessions`);
  }
}
