import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenantSchemas1763900006000 implements MigrationInterface {
  name = 'CreateTenantSchemas1763900006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenant_schemas (
        tenant_id text NOT NULL REFERENCES tenants (id),
        resource_type text NOT NULL CHECK (resource_type IN ('User', 'Group')),
        schema_id text NOT NULL,
        schema_id_lower text NOT NULL,
        definition jsonb NOT NULL,
        required boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, resource_type, schema_id_lower)
      )`);
    // Bumped in the transaction of every change, so each gateway process notices a change with one cheap read.
    await queryRunner.query(`CREATE TABLE tenant_schemas_generation (id int PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL)`);
    await queryRunner.query(`INSERT INTO tenant_schemas_generation (id, generation) VALUES (1, 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tenant_schemas_generation`);
    await queryRunner.query(`DROP TABLE tenant_schemas`);
  }
}
