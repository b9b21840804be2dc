import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillUserColumns } from '../user-columns.js';

/**
 * The enterprise extension's `employeeNumber` (RFC 7643 §4.3), which Entra maps by default, as indexed columns of
 * scim_users (user-columns.ts): `employee_number`, and `employee_number_lower` (String#toLowerCase of it, as the
 * attribute is caseExact=false) for `eq`. Rows already there get both from their attributes through the row
 * writer's own derivation (backfillUserColumns). The value is not bounded at write, and a B-tree refuses entries
 * over ~2.7 KB: a hash index, which stores a 4-byte hash of any length of text and serves `eq`, the comparison
 * Entra matches with.
 */
export class AddEmployeeNumber1765100001000 implements MigrationInterface {
  name = 'AddEmployeeNumber1765100001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE scim_users ADD COLUMN employee_number text NULL, ADD COLUMN employee_number_lower text NULL`);
    await backfillUserColumns(queryRunner, ['employee_number', 'employee_number_lower']);
    await queryRunner.query(`CREATE INDEX scim_users_employee_number_lower ON scim_users USING hash (employee_number_lower)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX scim_users_employee_number_lower`);
    await queryRunner.query(`ALTER TABLE scim_users DROP COLUMN employee_number, DROP COLUMN employee_number_lower`);
  }
}
