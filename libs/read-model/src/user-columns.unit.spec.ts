import { describe, expect, it } from '@jest/globals';
import { USER_COLUMN_MAPPING } from './filter/user-filter.sql.js';
import { deriveUserColumns, USER_COLUMNS, userColumnFilterMapping } from './user-columns.js';
import { upsertUsersSql } from './user-rows.js';

describe('the table of derived user columns', () => {
  it('derives each column from the attributes as the filter evaluator reads them', () => {
    const derived = deriveUserColumns({
      userName: 'Ann@Contoso.com',
      externalId: 'E-1',
      displayName: 42,
      active: 'true',
      emails: [{ TYPE: 'Work', value: 'Ann@Contoso.com' }, { type: 'home', value: 'ann@home' }, { type: 'work', value: 7 }, 'stray'],
    });
    expect(derived).toMatchObject({
      user_name: 'Ann@Contoso.com',
      user_name_lower: 'ann@contoso.com',
      external_id: 'E-1',
      display_name: null,
      active: null,
      work_emails_lower: ['ann@contoso.com'],
    });
    expect(deriveUserColumns({ 'URN:ietf:params:scim:schemas:extension:enterprise:2.0:user': { EMPLOYEENUMBER: 'En-7' } })).toMatchObject({
      employee_number: 'En-7',
      employee_number_lower: 'en-7',
    });
    expect(deriveUserColumns({ 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 7 } })).toMatchObject({
      employee_number: null,
      employee_number_lower: null,
    });
    expect(deriveUserColumns({ emails: { type: 'WORK', value: 'Solo@X' } })).toMatchObject({ user_name: '', user_name_lower: '', work_emails_lower: ['solo@x'] });
  });

  it('gives the filter compiler a column per served path, the lower-cased twin beside its value column', () => {
    const { columns, typedValueColumns } = userColumnFilterMapping();
    expect(columns['userName']).toEqual({ kind: 'string', expression: 'user_name', lowerCaseExpression: 'user_name_lower' });
    expect(columns['externalId']).toEqual({ kind: 'string', expression: 'external_id' });
    expect(columns['active']).toEqual({ kind: 'boolean', expression: 'active' });
    expect(columns['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber']).toEqual({
      kind: 'string',
      expression: 'employee_number',
      lowerCaseExpression: 'employee_number_lower',
    });
    expect(typedValueColumns).toEqual([{ attribute: 'emails', type: 'work', subAttribute: 'value', expression: 'work_emails_lower' }]);
    expect(USER_COLUMN_MAPPING.columns).toMatchObject(columns);
  });

  it('writes every column of the table in the upsert, typed and on conflict', () => {
    const sql = upsertUsersSql('$1');
    for (const column of USER_COLUMNS) {
      expect(sql).toContain(`r.${column.name}`);
      expect(sql).toContain(`${column.name} ${column.sqlType}`);
      expect(sql).toContain(`${column.name} = EXCLUDED.${column.name}`);
    }
  });
});
