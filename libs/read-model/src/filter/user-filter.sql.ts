import type { Filter } from '#scim/filter/filter.ast.js';
import { weakEtagSql } from '#scim/resource/etag.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { userColumnFilterMapping } from '../user-columns.js';
import type { ColumnMapping } from './column-mapping.js';
import { compileFilterToSql } from './filter-sql.compiler.js';
import { compileSortTerm, compileSortToSql, type SortRequest, type SortTerm } from './sort-sql.compiler.js';
import type { SqlFragment } from './sql-fragment.js';

/**
 * Where scim_users keeps User attributes: the columns derived from the attributes as USER_COLUMNS says
 * (user-columns.ts: Entra's matching attributes in indexed columns), `id` and `meta` in the columns they come
 * from, the rest in `attributes`.
 */
const USER_FILTER_COLUMNS = userColumnFilterMapping();

export const USER_COLUMN_MAPPING: ColumnMapping = {
  attributesColumn: 'attributes',
  // Migration 1763900009000.
  documentTextColumn: 'document_text_lower',
  columns: {
    id: { kind: 'string', expression: 'id::text', uuidExpression: 'id' },
    // The attributes held in derived columns: the table of user columns (user-columns.ts, USER_COLUMNS).
    ...USER_FILTER_COLUMNS.columns,
    meta: { kind: 'presentComplex' },
    'meta.resourceType': { kind: 'string', expression: `'User'::text` },
    'meta.created': { kind: 'dateTime', expression: 'created_at' },
    'meta.lastModified': { kind: 'dateTime', expression: 'last_modified_at' },
    // The stream revision as a weak ETag (STYLE.md principle 6), as the presenter renders it.
    'meta.version': { kind: 'string', expression: weakEtagSql('version') },
    'meta.location': { kind: 'unsupported', reason: 'the location depends on the base URL the request came through' },
  },
  typedValueColumns: USER_FILTER_COLUMNS.typedValueColumns,
  elementTables: {
    // RFC 7643 §4.1.2 `groups` is not stored with the user: it is the group member rows naming the user. Filters
    // see the direct memberships (the member index (tenant_id, member_id) serves them); a GET shows indirect ones too.
    groups: {
      from: 'scim_group_members user_group JOIN scim_groups user_group_group ON user_group_group.tenant_id = user_group.tenant_id AND user_group_group.id = user_group.group_id',
      correlation: 'user_group.tenant_id = scim_users.tenant_id AND user_group.member_id = scim_users.id::text',
      columns: {
        value: { kind: 'string', expression: 'user_group.group_id::text' },
        display: { kind: 'string', expression: 'user_group_group.display_name' },
        type: { kind: 'string', expression: `'direct'::text` },
        $ref: { kind: 'unsupported', reason: "a group's $ref is derived from its value; filter on groups.value" },
      },
    },
  },
};

const BUILT_IN_SCHEMAS = new SchemaRegistry();

/** A User filter as a WHERE condition over scim_users; placeholders start at `$firstParam`. */
export function compileUserFilter(filter: Filter, firstParam: number, registry: SchemaRegistry = BUILT_IN_SCHEMAS): SqlFragment {
  return compileFilterToSql(filter, USER_COLUMN_MAPPING, registry, 'User', firstParam);
}

/** An ORDER BY term over scim_users for `sortBy` / `sortOrder` (RFC 7644 §3.4.2.3). */
export function compileUserSort(sort: SortRequest, registry: SchemaRegistry = BUILT_IN_SCHEMAS): string {
  return compileSortToSql(sort, USER_COLUMN_MAPPING, registry, 'User');
}

/** compileUserSort's term as expression and direction (for the one-statement search). */
export function compileUserSortTerm(sort: SortRequest, registry: SchemaRegistry = BUILT_IN_SCHEMAS): SortTerm {
  return compileSortTerm(sort, USER_COLUMN_MAPPING, registry, 'User');
}
