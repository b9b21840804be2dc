import type { AttributePath } from '#scim/filter/filter.ast.js';
import { formatPath } from '#scim/filter/filter.resolve.js';
import { parseAttributePath } from '#scim/filter/filter.parser.js';
import { findSubAttribute, type AttributeDefinition } from '#scim/schema/attribute-definition.js';
import type { ResourceTypeName } from '#scim/schema/resource-type.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { InvalidValueError } from '#scim/scim-error.js';
import type { ColumnMapping, MappedColumn } from './column-mapping.js';
import { attributeKey } from './filter-sql.compiler.js';
import { jsonKeyLiteral } from './sql-fragment.js';

/** RFC 7644 §3.4.2.3 `sortOrder`. */
export type SortOrder = 'ascending' | 'descending';

export interface SortRequest {
  /** An attribute path as the client wrote it (`name.familyName`, URN-qualified or not), or already parsed. */
  readonly sortBy: string | AttributePath;
  /** Defaults to ascending (RFC 7644 §3.4.2.3). */
  readonly sortOrder?: SortOrder;
}

/**
 * Compiles `sortBy` / `sortOrder` (RFC 7644 §3.4.2.3) to one ORDER BY term over a read model laid out as
 * `mapping` says. No parameters: the SQL names only canonical names from the registry.
 *
 *  - A singular attribute sorts by its value; a multi-valued one by its primary value, else its first
 *    (RFC 7643 §2.4); a complex attribute needs a sub-attribute, except that one with a `value` sorts by it
 *    (as filters compare it, RFC 7644 §3.4.2.2).
 *  - Strings in code-point order, lower-cased unless caseExact; numbers, booleans and dateTimes by value; a
 *    value of the wrong JSON type, null or "" counts as no value.
 *  - Resources without a value sort last when ascending, first when descending.
 * The caller appends its own tie-breakers so that pages are stable.
 */
export function compileSortToSql(
  sort: SortRequest,
  mapping: ColumnMapping,
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
): string {
  const { expression, direction } = compileSortTerm(sort, mapping, registry, resourceType);
  return `${expression} ${direction}`;
}

/** One ORDER BY term in two parts, so a query can select the sort key and order an outer query by it too. */
export interface SortTerm {
  /** The sort key (with its collation, where it has one). */
  readonly expression: string;
  /** Ascending puts resources without a value last, descending first (RFC 7644 §3.4.2.3). */
  readonly direction: 'ASC NULLS LAST' | 'DESC NULLS FIRST';
}

/** compileSortToSql's term, as its expression and direction. */
export function compileSortTerm(
  sort: SortRequest,
  mapping: ColumnMapping,
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
): SortTerm {
  const path = typeof sort.sortBy === 'string' ? parseSortPath(sort.sortBy) : sort.sortBy;
  const pathText = formatPath(path);
  const resolved = registry.findAttribute(resourceType, path);
  if (!resolved) throw new InvalidValueError(`sortBy names an unknown attribute '${pathText}'`);

  let subAttribute = resolved.subAttribute;
  if (!subAttribute && resolved.attribute.type === 'complex') {
    subAttribute = findSubAttribute(resolved.attribute, 'value');
    if (!subAttribute) throw new InvalidValueError(`sortBy must name a sub-attribute of the complex attribute '${pathText}' (RFC 7644 §3.4.2.3)`);
  }
  const compared = subAttribute ?? resolved.attribute;
  const key = subAttribute ? `${attributeKey(resolved)}.${subAttribute.name}` : attributeKey(resolved);
  const columns = new Map(Object.entries(mapping.columns).map(([name, column]) => [name.toLowerCase(), column]));
  const column = columns.get(key.toLowerCase());
  const parentColumn = subAttribute ? columns.get(attributeKey(resolved).toLowerCase()) : undefined;

  let expression: string;
  if (column !== undefined) {
    expression = columnSortExpression(column, compared, pathText);
  } else if (parentColumn !== undefined) {
    throw new InvalidValueError(`sorting by '${pathText}' is not supported`);
  } else {
    const steps = [
      ...(resolved.inExtension ? [{ key: resolved.schemaId, multiValued: false }] : []),
      { key: resolved.attribute.name, multiValued: resolved.attribute.multiValued },
      ...(subAttribute ? [{ key: subAttribute.name, multiValued: subAttribute.multiValued }] : []),
    ];
    expression = jsonSortExpression(mapping.attributesColumn, steps, compared);
  }
  return { expression, direction: sort.sortOrder === 'descending' ? 'DESC NULLS FIRST' : 'ASC NULLS LAST' };
}

function parseSortPath(text: string): AttributePath {
  try {
    return parseAttributePath(text);
  } catch {
    throw new InvalidValueError(`sortBy '${text}' is not an attribute path (RFC 7644 §3.10)`);
  }
}

function columnSortExpression(column: MappedColumn, compared: AttributeDefinition, pathText: string): string {
  switch (column.kind) {
    case 'string':
      if (compared.caseExact || compared.type === 'binary') return `NULLIF(${column.expression}, '') COLLATE "C"`;
      return `NULLIF(${column.lowerCaseExpression ?? `lower(${column.expression})`}, '') COLLATE "C"`;
    case 'boolean':
    case 'dateTime':
      return column.expression;
    case 'presentComplex':
    case 'unsupported':
      throw new InvalidValueError(`sorting by '${pathText}' is not supported`);
  }
}

interface JsonStep {
  readonly key: string;
  readonly multiValued: boolean;
}

/** Follows `steps` from `root`; at a multi-valued step it takes the primary element, else the first. */
function jsonSortExpression(root: string, steps: readonly JsonStep[], compared: AttributeDefinition, depth = 0): string {
  let current = root;
  for (const [index, step] of steps.entries()) {
    current = `${current} -> ${jsonKeyLiteral(step.key)}`;
    if (step.multiValued) {
      const alias = `sort_element${depth + 1}`;
      const rest = jsonSortExpression(`${alias}.value`, steps.slice(index + 1), compared, depth + 1);
      const elements = `CASE jsonb_typeof(${current}) WHEN 'array' THEN ${current} ELSE jsonb_build_array(${current}) END`;
      return `(SELECT ${rest} FROM jsonb_array_elements(${elements}) WITH ORDINALITY AS ${alias}(value, position)
        ORDER BY (${alias}.value -> 'primary') = 'true'::jsonb DESC NULLS LAST, ${alias}.position LIMIT 1)`;
    }
  }
  return typedJsonValue(current, compared);
}

function typedJsonValue(value: string, compared: AttributeDefinition): string {
  switch (compared.type) {
    case 'string':
    case 'reference':
    case 'binary': {
      const text = `NULLIF(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${value} #>> '{}' END, '')`;
      return compared.caseExact || compared.type === 'binary' ? `${text} COLLATE "C"` : `lower(${text}) COLLATE "C"`;
    }
    case 'integer':
    case 'decimal':
      return `CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric END`;
    case 'boolean':
      return `CASE WHEN jsonb_typeof(${value}) = 'boolean' THEN (${value})::boolean END`;
    case 'dateTime':
      return `scim_date_time_millis(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${value} #>> '{}' END)`;
    case 'complex':
      throw new Error('unreachable: a complex attribute sorts by a sub-attribute');
  }
}
