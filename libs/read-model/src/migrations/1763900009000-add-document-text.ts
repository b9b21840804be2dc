import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `document_text_lower`: the resource's attributes as text, lower-cased, kept by PostgreSQL itself (a stored
 * generated column, so neither projection has to write it). The filter compiler tests it with a LIKE before
 * reading values out of the jsonb (FilterSqlCompiler's documentTextPrefilter): `emails[value co "x"]` had to walk
 * the emails of every row of the tenant in a subquery, several microseconds a row and term, which made a
 * filter of many such terms take seconds on 100,000 users; a LIKE on this column takes a fraction of that, and
 * the jsonb is walked only on the rows that pass (docs/benchmarks-filters-memory.md "Filters that cannot use an
 * index").
 */
export class AddDocumentText1763900009000 implements MigrationInterface {
  name = 'AddDocumentText1763900009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['scim_users', 'scim_groups']) {
      await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN document_text_lower text GENERATED ALWAYS AS (lower(attributes::text)) STORED`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['scim_users', 'scim_groups']) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN document_text_lower`);
  }
}
