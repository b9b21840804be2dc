import type { Filter } from '#scim/filter/filter.ast.js';
import { weakEtagSql } from '#scim/resource/etag.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import type { ColumnMapping } from './column-mapping.js';
import { compileFilterToSql } from './filter-sql.compiler.js';
import { compileSortTerm, compileSortToSql, type SortRequest, type SortTerm } from './sort-sql.compiler.js';
import type { SqlFragment } from './sql-fragment.js';

/**
 * Where scim_groups keeps Group attributes (migration 1763900003000, group-rows.ts): Entra's matching
 * attribute displayName (caseExact false, RFC 7643 §4.2) and externalId in indexed columns; members in their
 * own table, never in `attributes`.
 */
export const GROUP_COLUMN_MAPPING: ColumnMapping = {
  attributesColumn: 'attributes',
  // Migration 1763900009000.
  documentTextColumn: 'document_text_lower',
  columns: {
    id: { kind: 'string', expression: 'id::text', uuidExpression: 'id' },
    externalId: { kind: 'string', expression: 'external_id' },
    displayName: { kind: 'string', expression: 'display_name', lowerCaseExpression: 'display_name_lower' },
    meta: { kind: 'presentComplex' },
    'meta.resourceType': { kind: 'string', expression: `'Group'::text` },
    'meta.created': { kind: 'dateTime', expression: 'created_at' },
    'meta.lastModified': { kind: 'dateTime', expression: 'last_modified_at' },
    'meta.version': { kind: 'string', expression: weakEtagSql('version') },
    'meta.location': { kind: 'unsupported', reason: 'the location depends on the base URL the request came through' },
  },
  elementTables: {
    // The primary key (tenant_id, group_id, member_id) serves `members[value eq "<id>"]` within a group; the
    // member index (tenant_id, member_id) serves "which groups hold this member".
    members: {
      from: 'scim_group_members member',
      correlation: 'member.tenant_id = scim_groups.tenant_id AND member.group_id = scim_groups.id',
      columns: {
        value: { kind: 'string', expression: 'member.member_id' },
        type: { kind: 'string', expression: 'member.member_type' },
        display: { kind: 'string', expression: 'member.display' },
        $ref: { kind: 'unsupported', reason: 'a member\'s $ref is derived from its value; filter on members.value' },
      },
    },
  },
};

const BUILT_IN_SCHEMAS = new SchemaRegistry();

export function compileGroupFilter(filter: Filter, firstParam: number, registry: SchemaRegistry = BUILT_IN_SCHEMAS): SqlFragment {
  return compileFilterToSql(filter, GROUP_COLUMN_MAPPING, registry, 'Group', firstParam);
}

export function compileGroupSort(sort: SortRequest, registry: SchemaRegistry = BUILT_IN_SCHEMAS): string {
  return compileSortToSql(sort, GROUP_COLUMN_MAPPING, registry, 'Group');
}

/** compileGroupSort's term as expression and direction (for the one-statement search). */
export function compileGroupSortTerm(sort: SortRequest, registry: SchemaRegistry = BUILT_IN_SCHEMAS): SortTerm {
  return compileSortTerm(sort, GROUP_COLUMN_MAPPING, registry, 'Group');
}
