import { elementsOf, getIgnoringCase } from '#scim/resource/attribute-access.js';
import { isPlainObject } from '#scim/resource/json-value.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '#scim/schema/enterprise-user.schema.js';
import type { MappedColumn, TypedValueColumn } from './filter/column-mapping.js';

/**
 * The columns of scim_users that hold values derived from a user's attributes, so that filters (and sorting) on
 * them are index lookups instead of jsonb reads: the one place that says, per column, its SQL type, how the
 * read-model row writer derives it (a pure function of the attributes), which SCIM attribute path it serves
 * and how it is indexed. From it come the row writer's derivation and upsert (user-rows.ts), the filter
 * compiler's column mapping (filter/user-filter.sql.ts) and the backfill a migration runs when it adds a column
 * (backfillUserColumns). docs/filtering.md "Adding a filterable attribute" says how to add one.
 *
 * Lower-casing is String#toLowerCase, the folding libs/scim's filter evaluator applies to caseExact=false
 * attributes, so a column agrees with the evaluator character for character (the property test in
 * filter/filter-sql.int.spec.ts holds the two together).
 *
 * The columns themselves are created by migrations (which never change once released): the table describes
 * what they created, and user-columns.int.spec.ts checks that the migrated database agrees with it.
 */
export interface UserColumn {
  /** The SQL column name in scim_users. */
  readonly name: string;
  readonly sqlType: 'text' | 'boolean' | 'text[]';
  /** The column's value for a user with these attributes; null for SQL NULL. */
  readonly derive: (attributes: Readonly<Record<string, unknown>>) => UserColumnValue;
  /** How the filter and sort compilers use the column. */
  readonly serves: UserColumnUse;
  /** The index on the column, created by the migration that added it; absent when it has none. */
  readonly index?: UserColumnIndex;
}

export type UserColumnValue = string | boolean | readonly string[] | null;

export type UserColumnUse =
  /** The value of the attribute at `path` (a canonical mapping key, see ColumnMapping.columns). */
  | { readonly kind: 'value'; readonly path: string }
  /** The same value after String#toLowerCase: comparisons of a caseExact=false attribute use it. */
  | { readonly kind: 'lowerCase'; readonly path: string }
  /** One sub-attribute of the elements of one type, lower-cased (see TypedValueColumn). */
  | { readonly kind: 'typedValue'; readonly attribute: string; readonly type: string; readonly subAttribute: string };

export interface UserColumnIndex {
  readonly name: string;
  /**
   * `btree` on (tenant_id, column) for values bounded at write (resource.invariants.ts INDEXED_VALUE_MAX_BYTES:
   * PostgreSQL's B-tree refuses entries over ~2.7 KB); `hash` on the column alone for unbounded values (a hash
   * index stores a 4-byte hash, so any length is fine; it serves `eq` only); `gin` for arrays (`@>`).
   */
  readonly method: 'btree' | 'hash' | 'gin';
}

const EMPLOYEE_NUMBER_PATH = `${ENTERPRISE_USER_SCHEMA_ID}:employeeNumber`;

export const USER_COLUMNS = [
  { name: 'user_name', sqlType: 'text', derive: userNameOf, serves: { kind: 'value', path: 'userName' } },
  {
    name: 'user_name_lower',
    sqlType: 'text',
    derive: (attributes) => userNameOf(attributes).toLowerCase(),
    // Serves `userName eq` (RFC 7643 §4.1.1: userName is caseExact=false).
    serves: { kind: 'lowerCase', path: 'userName' },
    index: { name: 'scim_users_user_name_lower', method: 'btree' },
  },
  {
    name: 'external_id',
    sqlType: 'text',
    derive: (attributes) => textOrNull(attributes['externalId']),
    serves: { kind: 'value', path: 'externalId' },
    index: { name: 'scim_users_external_id', method: 'btree' },
  },
  { name: 'display_name', sqlType: 'text', derive: (attributes) => textOrNull(attributes['displayName']), serves: { kind: 'value', path: 'displayName' } },
  {
    name: 'active',
    sqlType: 'boolean',
    derive: (attributes) => (typeof attributes['active'] === 'boolean' ? attributes['active'] : null),
    serves: { kind: 'value', path: 'active' },
  },
  {
    name: 'work_emails_lower',
    sqlType: 'text[]',
    derive: workEmailsLower,
    // Entra's `emails[type eq "work"].value eq "x"` (ENTRA.md "A provisioning cycle").
    serves: { kind: 'typedValue', attribute: 'emails', type: 'work', subAttribute: 'value' },
    index: { name: 'scim_users_work_emails_lower', method: 'gin' },
  },
  // Enterprise employeeNumber (RFC 7643 §4.3, caseExact=false), which Entra maps by default. Not bounded at
  // write, hence a hash index (migration 1765100001000).
  { name: 'employee_number', sqlType: 'text', derive: employeeNumberOf, serves: { kind: 'value', path: EMPLOYEE_NUMBER_PATH } },
  {
    name: 'employee_number_lower',
    sqlType: 'text',
    derive: (attributes) => employeeNumberOf(attributes)?.toLowerCase() ?? null,
    serves: { kind: 'lowerCase', path: EMPLOYEE_NUMBER_PATH },
    index: { name: 'scim_users_employee_number_lower', method: 'hash' },
  },
] as const satisfies readonly UserColumn[];

export type UserColumnName = (typeof USER_COLUMNS)[number]['name'];

/** Every derived column of a user with these attributes, by column name. */
export function deriveUserColumns(attributes: Readonly<Record<string, unknown>>): Record<UserColumnName, UserColumnValue> {
  return Object.fromEntries(USER_COLUMNS.map((column) => [column.name, column.derive(attributes)])) as Record<UserColumnName, UserColumnValue>;
}

/** The columns and typed-value columns of the filter compiler's ColumnMapping that the table provides. */
export function userColumnFilterMapping(): { columns: Record<string, MappedColumn>; typedValueColumns: TypedValueColumn[] } {
  const columns: Record<string, MappedColumn> = {};
  const typedValueColumns: TypedValueColumn[] = [];
  for (const column of USER_COLUMNS as readonly UserColumn[]) {
    const { serves } = column;
    switch (serves.kind) {
      case 'value':
        columns[serves.path] =
          column.sqlType === 'boolean'
            ? { kind: 'boolean', expression: column.name }
            : { ...(columns[serves.path] as object | undefined), kind: 'string', expression: column.name };
        break;
      case 'lowerCase':
        columns[serves.path] = { ...(columns[serves.path] as Extract<MappedColumn, { kind: 'string' }>), lowerCaseExpression: column.name };
        break;
      case 'typedValue':
        typedValueColumns.push({ attribute: serves.attribute, type: serves.type, subAttribute: serves.subAttribute, expression: column.name });
        break;
    }
  }
  for (const [path, mapped] of Object.entries(columns)) {
    if (mapped.kind === 'string' && mapped.expression === undefined) throw new Error(`user column table: '${path}' has a lower-case column but no value column`);
  }
  return { columns, typedValueColumns };
}

/**
 * What the row writer and the backfill need of a connection: TypeORM's EntityManager or QueryRunner (in a
 * migration), or a test's client adapter.
 */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Writes `names` on every existing scim_users row from its attributes, with the same derivation as the row
 * writer: what a migration that adds a derived column runs between adding it and indexing it. Walks the table in
 * primary-key order, `batchSize` rows a statement pair, so memory stays bounded on any table size.
 */
export async function backfillUserColumns(runner: SqlExecutor, names: readonly UserColumnName[], batchSize = 1000): Promise<void> {
  const columns = names.map((name) => USER_COLUMNS.find((column) => column.name === name)!);
  const update = `UPDATE scim_users u SET ${columns.map((column) => `${column.name} = r.${column.name}`).join(', ')}
     FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, id uuid, ${columns.map((column) => `${column.name} ${column.sqlType}`).join(', ')})
     WHERE u.tenant_id = r.tenant_id AND u.id = r.id`;
  let after: { tenant_id: string; id: string } | undefined;
  for (;;) {
    const rows = (await runner.query(
      after
        ? `SELECT tenant_id, id::text AS id, attributes FROM scim_users WHERE (tenant_id, id) > ($2, $3::uuid) ORDER BY tenant_id, id LIMIT $1`
        : `SELECT tenant_id, id::text AS id, attributes FROM scim_users ORDER BY tenant_id, id LIMIT $1`,
      after ? [batchSize, after.tenant_id, after.id] : [batchSize],
    )) as { tenant_id: string; id: string; attributes: Record<string, unknown> }[];
    if (rows.length === 0) return;
    const values = rows.map((row) => ({
      tenant_id: row.tenant_id,
      id: row.id,
      ...Object.fromEntries(columns.map((column) => [column.name, column.derive(row.attributes)])),
    }));
    await runner.query(update, [JSON.stringify(values)]);
    after = rows[rows.length - 1];
  }
}

function userNameOf(attributes: Readonly<Record<string, unknown>>): string {
  return String(attributes['userName'] ?? '');
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Read as the evaluator reads an extension attribute: schema URN and name case-insensitively, strings only. */
function employeeNumberOf(attributes: Readonly<Record<string, unknown>>): string | null {
  const extension = getIgnoringCase(attributes, ENTERPRISE_USER_SCHEMA_ID);
  return isPlainObject(extension) ? textOrNull(getIgnoringCase(extension, 'employeeNumber')) : null;
}

/**
 * Every `emails` element with type "work" (any case), lower-cased: what `emails[type eq "work"].value eq "x"`
 * compares (RFC 7644 §3.4.2.2, any element may match). Read as the evaluator reads: names case-insensitively,
 * a lone object as one element, only string values.
 */
function workEmailsLower(attributes: Readonly<Record<string, unknown>>): string[] {
  return elementsOf(getIgnoringCase(attributes, 'emails')).flatMap((element) => {
    if (!isPlainObject(element)) return [];
    const type = getIgnoringCase(element, 'type');
    const value = getIgnoringCase(element, 'value');
    return typeof type === 'string' && type.toLowerCase() === 'work' && typeof value === 'string' ? [value.toLowerCase()] : [];
  });
}
