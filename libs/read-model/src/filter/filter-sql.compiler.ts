import type { ComparisonOperator, Filter } from '#scim/filter/filter.ast.js';
import { formatPath, resolveFilter, type FilterAttributeTarget, type ResolvedFilter } from '#scim/filter/filter.resolve.js';
import { parseDateTime } from '#scim/resource/date-time.js';
import type { AttributeDefinition } from '#scim/schema/attribute-definition.js';
import type { ResourceTypeName } from '#scim/schema/resource-type.js';
import type { ResolvedAttribute, SchemaRegistry } from '#scim/schema/schema.registry.js';
import { InvalidFilterError } from '#scim/scim-error.js';
import type { ColumnMapping, ElementTable, MappedColumn, TypedValueColumn } from './column-mapping.js';
import { escapeLikePattern, jsonKeyLiteral, SqlParameters, type SqlFragment } from './sql-fragment.js';

/**
 * Compiles a filter AST (RFC 7644 §3.4.2.2) to a parameterised PostgreSQL condition over a read model laid out
 * as `mapping` says. The semantics are those of libs/scim's evaluator (filter.evaluator.ts), which the property
 * test (filter-sql.int.spec.ts) holds it to:
 *
 *  - The filter is resolved once (libs/scim's resolveFilter, as the evaluator resolves it), so an unknown
 *    attribute, an operator that does not apply to the attribute's type or a literal of the wrong type fails with
 *    the same invalidFilter; the compiler walks the resolved tree. The SQL names only canonical names from the
 *    schemas, never the client's text. Every literal is a parameter.
 *  - A comparison is true when some value of the attribute satisfies it: multi-valued attributes match when any
 *    element does (RFC 7644 §3.4.2.2), as `EXISTS (SELECT 1 FROM jsonb_array_elements(...))`; a stored value of
 *    the wrong JSON type matches nothing. So `ne` is false on an absent attribute, `eq null` means "not present".
 *  - Case: caseExact=false strings compare lower-cased (RFC 7643 §2.1); ordering is by code point
 *    (`COLLATE "C"`); co/sw/ew are LIKE with the value's `%`, `_` and `\` escaped.
 *  - Types from the schema: numbers as numeric, booleans as boolean, dateTimes as instants (RFC 7643 §2.3.5).
 *    One deliberate difference: a dateTime whose day the month lacks (2021-02-29) is not a dateTime here, as
 *    xsd:dateTime says, so such a literal is invalidFilter and such a stored value matches no comparison; the
 *    evaluator (V8's Date.parse) rolls it over into the next month.
 *  - Three-valued logic: an atom is NULL where the evaluator says false (absent value), and NULL acts as false
 *    under AND, OR and WHERE; only NOT would turn it into NULL instead of true, so each `not` compiles to
 *    `NOT COALESCE(x, false)`. Atoms stay bare so indexes apply. Hence the fragment is meant for a WHERE clause
 *    (where NULL excludes the row), not for a select list.
 *
 * `firstParam` is the number of the fragment's first placeholder (`$firstParam`), so the fragment can follow the
 * caller's own parameters.
 */
export function compileFilterToSql(
  filter: Filter,
  mapping: ColumnMapping,
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  firstParam: number,
): SqlFragment {
  const resolved = resolveFilter(filter, registry, resourceType);
  const compiler = new FilterSqlCompiler(mapping, new SqlParameters(firstParam));
  const sql = compiler.compile(resolved, { kind: 'resource' });
  return { sql, params: compiler.parameters.values, ...(compiler.readsDocuments ? { readsDocuments: true } : {}) };
}

/** Where the paths of a (sub-)filter point. */
type Scope =
  | { readonly kind: 'resource' }
  /** Inside `attribute[...]` of a multi-valued attribute: paths name sub-attributes of the jsonb `element`. */
  | { readonly kind: 'element'; readonly parent: ResolvedAttribute; readonly element: string }
  /** Inside `attribute[...]` of a singular complex attribute: `sub` means `attribute.sub` of the resource. */
  | { readonly kind: 'singular'; readonly parent: ResolvedAttribute }
  /** Inside `attribute[...]` of an attribute kept in an element table: paths name the table's columns. */
  | { readonly kind: 'table'; readonly parent: ResolvedAttribute; readonly table: ElementTable };

/** How to reach the values a path denotes. */
type ValueSite =
  | { readonly kind: 'column'; readonly column: Exclude<MappedColumn, { kind: 'unsupported' }> }
  | JsonSite;

/** From the jsonb `root`, follow `steps`; a multi-valued step goes on from each of its elements. */
interface JsonSite {
  readonly kind: 'json';
  readonly root: string;
  readonly steps: readonly JsonStep[];
}

interface JsonStep {
  readonly key: string;
  readonly multiValued: boolean;
}

const SQL_OPERATORS: Readonly<Record<Exclude<ComparisonOperator, 'co' | 'sw' | 'ew'>, string>> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};

/**
 * RFC 7644 §3.4.2.2 `pr`, as the evaluator's isPresentValue: some scalar at any depth that is not null and not
 * an empty string (so empty arrays and objects whose attributes are all absent are not present).
 */
const PRESENT_JSONPATH = `'strict $.** ? (@.type() == "string" && @ != "" || @.type() == "number" || @.type() == "boolean")'`;

/** Comparisons a match of which contains the operand; see documentTextPrefilter. */
const PREFILTERED_OPERATORS: ReadonlySet<ComparisonOperator> = new Set(['eq', 'co', 'sw', 'ew']);

/** Printable ASCII but `"` and `\`: what a jsonb's text form holds unescaped, and lower-cases letter by letter. */
const PREFILTER_SAFE_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

const LOWER_CASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** PostgreSQL's earliest timestamptz (4714-11-24 BC); JavaScript dates reach further back. */
const EARLIEST_TIMESTAMP_MILLIS = -210_866_803_200_000;

class FilterSqlCompiler {
  private aliasCount = 0;
  /** Some comparison reads the jsonb (see SqlFragment.readsDocuments). */
  readsDocuments = false;
  private readonly columns: ReadonlyMap<string, MappedColumn>;

  constructor(
    private readonly mapping: ColumnMapping,
    readonly parameters: SqlParameters,
  ) {
    this.columns = new Map(Object.entries(mapping.columns).map(([key, column]) => [key.toLowerCase(), column]));
  }

  compile(filter: ResolvedFilter, scope: Scope): string {
    switch (filter.kind) {
      case 'and':
        return scope.kind === 'resource' ? this.conjunction(filter) : `(${this.compile(filter.left, scope)} AND ${this.compile(filter.right, scope)})`;
      case 'or':
        return `(${this.compile(filter.left, scope)} OR ${this.compile(filter.right, scope)})`;
      case 'not':
        return `(NOT COALESCE(${this.compile(filter.filter, scope)}, false))`;
      case 'present': {
        const target = targetIn(filter.target, scope);
        const table = scope.kind === 'resource' ? this.elementTableOf(target.resolved) : undefined;
        if (table) {
          // `members pr` (any element), `members.display pr` (any element with that sub-attribute).
          const inner = target.resolved.subAttribute ? ` AND ${this.present(this.tableColumn(table, target.resolved.subAttribute.name, formatPath(filter.path)))}` : '';
          return `EXISTS (SELECT 1 FROM ${table.from} WHERE ${table.correlation}${inner})`;
        }
        return this.present(this.siteOf(target, false, scope));
      }
      case 'compare': {
        const target = targetIn(filter.target, scope);
        const table = scope.kind === 'resource' ? this.elementTableOf(target.resolved) : undefined;
        if (table) {
          // `members eq "id"` compares the `value` sub-attribute (RFC 7644 §3.4.2.2), `members.value eq` likewise:
          // the comparison of one element row's column.
          const { compared } = target;
          const element: ResolvedFilter = {
            kind: 'compare',
            op: filter.op,
            operand: filter.operand,
            path: { attribute: compared.name },
            target: { resolved: { ...target.resolved, subAttribute: compared, definition: compared }, compared, impliesValueSubAttribute: false, withinElement: true },
          };
          return `EXISTS (SELECT 1 FROM ${table.from} WHERE ${table.correlation} AND ${this.compile(element, { kind: 'table', parent: target.resolved, table })})`;
        }
        const { operand } = filter;
        const site = this.siteOf(target, target.impliesValueSubAttribute, scope);
        if (operand === null) {
          // The evaluator's `eq null` / `ne null`: not present / present (RFC 7644 §3.4.2.2 `pr`).
          const present = this.present(site);
          return filter.op === 'eq' ? `(NOT COALESCE(${present}, false))` : present;
        }
        // Inside `attribute[...]` the value filter hoists the prefilter out of the per-element subquery.
        const prefilter = site.kind === 'json' && scope.kind !== 'element' ? this.documentTextPrefilter(requiredTexts(filter)) : undefined;
        const comparison = this.compare(site, filter.op, operand, target.compared);
        return prefilter ? `(${prefilter} AND ${comparison})` : comparison;
      }
      case 'valuePath':
        return this.valuePath(filter, scope);
    }
  }

  /**
   * An `and` of several value filters on the same multi-valued attribute read from the jsonb
   * (`emails[value co "a"] and emails[value co "b"] and ...`), as one walk over its elements per row that answers
   * every one of them: `COALESCE(bool_or(<filter>), false)` per value filter, over the elements that are objects.
   * Each EXISTS subquery of its own cost a walk per row and term, several microseconds even for two emails; the
   * comparisons themselves cost a fraction of that. RFC 7644 §3.4.2.2 semantics stay those of separate value
   * filters: each needs some element, not necessarily the same one. The `and` chain is flattened into its terms
   * once, here, which also keeps a long chain from being walked again at every level.
   */
  private conjunction(filter: Extract<ResolvedFilter, { kind: 'and' }>): string {
    const terms: ResolvedFilter[] = [];
    for (const pending: ResolvedFilter[] = [filter]; pending.length > 0; ) {
      const next = pending.pop()!;
      if (next.kind === 'and') pending.push(next.right, next.left);
      else terms.push(next);
    }
    const walks = new Map<string, { parent: ResolvedAttribute; filters: ResolvedFilter[] }>();
    for (const term of terms) {
      const parent = term.kind === 'valuePath' && this.mapping.documentTextColumn !== undefined ? this.walkedAttribute(term) : undefined;
      if (!parent || term.kind !== 'valuePath') continue;
      // One walk answers every term but stops at none, where separate EXISTS stop at the first false term: it
      // pays only on rows that passed each term's document-text prefilter, so only terms that have one share it.
      if (prefilterTexts(requiredTexts(term.filter)).length === 0) continue;
      const key = attributeKey(parent).toLowerCase();
      const walk = walks.get(key) ?? { parent, filters: [] };
      walk.filters.push(term.filter);
      walks.set(key, walk);
    }
    const shared = [...walks.values()].filter((walk) => walk.filters.length > 1);
    if (shared.length === 0) return `(${terms.map((term) => this.compile(term, { kind: 'resource' })).join(' AND ')})`;
    const sharedKeys = new Set(shared.map((walk) => attributeKey(walk.parent).toLowerCase()));
    const parts: string[] = [];
    const emitted = new Set<string>();
    for (const term of terms) {
      const parent = term.kind === 'valuePath' ? this.walkedAttribute(term) : undefined;
      const shares = parent !== undefined && term.kind === 'valuePath' && walks.get(attributeKey(parent).toLowerCase())?.filters.includes(term.filter) === true;
      const key = shares ? attributeKey(parent).toLowerCase() : undefined;
      if (key === undefined || !sharedKeys.has(key)) {
        parts.push(this.compile(term, { kind: 'resource' }));
      } else if (!emitted.has(key)) {
        emitted.add(key);
        parts.push(this.sharedWalk(walks.get(key)!.parent, walks.get(key)!.filters));
      }
    }
    return `(${parts.join(' AND ')})`;
  }

  /** The multi-valued attribute a value filter walks in the jsonb, or undefined when a table, column or index serves it. */
  private walkedAttribute(filter: Extract<ResolvedFilter, { kind: 'valuePath' }>): ResolvedAttribute | undefined {
    const { parent } = filter;
    if (!parent.attribute.multiValued || this.elementTableOf(parent)) return undefined;
    if (this.typedValueComparison(parent, filter.filter, false) !== undefined) return undefined;
    if (this.columnAt(attributeKey(parent), formatPath(filter.path)) !== undefined) return undefined;
    return parent;
  }

  private sharedWalk(parent: ResolvedAttribute, filters: readonly ResolvedFilter[]): string {
    const prefilter = this.documentTextPrefilter(filters.flatMap((filter) => requiredTexts(filter)));
    this.readsDocuments = true;
    const site = jsonSite(this.mapping, parent, undefined);
    const attribute = site.steps.reduce((expression, step) => `${expression} -> ${jsonKeyLiteral(step.key)}`, site.root);
    const alias = `element${++this.aliasCount}`;
    const element = `${alias}.value`;
    const each = filters.map((filter) => `COALESCE(bool_or(${this.compile(filter, { kind: 'element', parent, element })}), false)`);
    const walk = `(SELECT ${each.join(' AND ')} FROM jsonb_array_elements(${elementsOf(attribute)}) AS ${alias}(value) WHERE jsonb_typeof(${element}) = 'object')`;
    return prefilter ? `(${prefilter} AND ${walk})` : walk;
  }

  /** `attribute[filter]`: some element of the attribute (the attribute itself when singular) matches `filter`. */
  private valuePath(filter: Extract<ResolvedFilter, { kind: 'valuePath' }>, scope: Scope): string {
    // resolveFilter has already refused nesting, sub-attributes before `[`, and non-complex attributes.
    if (scope.kind !== 'resource') throw new Error(`unreachable: resolveFilter refuses nested value filters ('${formatPath(filter.path)}[...]')`);
    const { parent } = filter;

    const table = this.elementTableOf(parent);
    if (table) {
      return `EXISTS (SELECT 1 FROM ${table.from} WHERE ${table.correlation} AND ${this.compile(filter.filter, { kind: 'table', parent, table })})`;
    }

    const typedValue = this.typedValueComparison(parent, filter.filter);
    if (typedValue !== undefined) return typedValue;

    const key = attributeKey(parent);
    const column = this.columnAt(key, formatPath(filter.path));
    if (column !== undefined) {
      if (column.kind !== 'presentComplex') throw new Error(`column mapping for '${key}' must be presentComplex to take a value filter`);
      return `(${this.compile(filter.filter, { kind: 'singular', parent })})`;
    }
    const site = jsonSite(this.mapping, parent, undefined);
    if (parent.attribute.multiValued) {
      const prefilter = this.documentTextPrefilter(requiredTexts(filter.filter));
      const elements = this.anyValue(site, (element) =>
        `(jsonb_typeof(${element}) = 'object' AND ${this.compile(filter.filter, { kind: 'element', parent, element })})`,
      );
      return prefilter ? `(${prefilter} AND ${elements})` : elements;
    }
    return this.anyValue(site, (value) => `(jsonb_typeof(${value}) = 'object' AND ${this.compile(filter.filter, { kind: 'singular', parent })})`);
  }

  /**
   * The exact shape a TypedValueColumn serves: `attribute[type eq "work" and value eq "x"]` (either order), which
   * is also what Entra's `emails[type eq "work"].value eq "x"` parses to.
   */
  private typedValueComparison(parent: ResolvedAttribute, filter: ResolvedFilter, compile = true): string | undefined {
    const key = attributeKey(parent).toLowerCase();
    const column = this.mapping.typedValueColumns?.find((candidate) => candidate.attribute.toLowerCase() === key);
    if (!column || filter.kind !== 'and') return undefined;
    const pairs: [ResolvedFilter, ResolvedFilter][] = [
      [filter.left, filter.right],
      [filter.right, filter.left],
    ];
    for (const [typeTest, valueTest] of pairs) {
      const value = typedValueOperand(column, typeTest, valueTest);
      if (value !== undefined) return compile ? `(${column.expression} @> ARRAY[${this.parameters.add(value.toLowerCase(), 'text')}])` : '';
    }
    return undefined;
  }

  /**
   * A cheap necessary condition for a comparison read from the jsonb: the lower-cased text of the whole document
   * (mapping.documentTextColumn) contains each of `texts`, lower-cased. A LIKE on a text column costs a fraction
   * of a microsecond a row, against several for walking the jsonb (jsonb_array_elements in a subquery), and the
   * planner runs the cheaper conditions of a WHERE first; so the 400-term `emails[value co "<i>"] and ...` walks
   * the jsonb only on the rows that contain every text (docs/benchmarks-filters-memory.md). It must never exclude
   * a row the comparison accepts: hence only texts of printable ASCII without `"` and `\`, which the jsonb's text
   * form carries unescaped and whose lower case does not depend on their neighbours (ICU lower-cases `Σ`
   * according to what follows it), and only positive terms (requiredTexts).
   */
  private documentTextPrefilter(texts: readonly string[]): string | undefined {
    const column = this.mapping.documentTextColumn;
    const usable = prefilterTexts(texts);
    if (column === undefined || usable.length === 0) return undefined;
    return usable.map((text) => `(${column} LIKE ${this.parameters.add(`%${escapeLikePattern(text)}%`, 'text')} ESCAPE '\\')`).join(' AND ');
  }

  private siteOf(target: FilterAttributeTarget, readValueSubAttribute: boolean, scope: Scope): ValueSite {
    const { resolved } = target;
    if (scope.kind === 'table') return this.tableColumn(scope.table, resolved.definition.name, formatPath({ attribute: resolved.definition.name }));
    if (scope.kind === 'element') {
      const definition = resolved.definition;
      return { kind: 'json', root: scope.element, steps: [{ key: definition.name, multiValued: definition.multiValued }] };
    }
    const subAttribute = resolved.subAttribute ?? (readValueSubAttribute ? target.compared : undefined);
    const key = subAttribute ? `${attributeKey(resolved)}.${subAttribute.name}` : attributeKey(resolved);
    const column = this.columnAt(key, key);
    if (column !== undefined) return { kind: 'column', column };
    return jsonSite(this.mapping, resolved, subAttribute);
  }

  private elementTableOf(resolved: ResolvedAttribute): ElementTable | undefined {
    const key = attributeKey(resolved).toLowerCase();
    const entry = Object.entries(this.mapping.elementTables ?? {}).find(([attribute]) => attribute.toLowerCase() === key);
    return entry?.[1];
  }

  private tableColumn(table: ElementTable, subAttribute: string, pathText: string): ValueSite {
    const column = Object.entries(table.columns).find(([name]) => name.toLowerCase() === subAttribute.toLowerCase())?.[1];
    if (column === undefined || column.kind === 'unsupported') {
      throw new InvalidFilterError(`filtering on '${pathText}' is not supported${column?.kind === 'unsupported' ? `: ${column.reason}` : ''}`);
    }
    return { kind: 'column', column };
  }

  /**
   * The column holding `key`, if any. An attribute whose parent lives in columns (`meta.location` when only
   * `meta.created` and friends are mapped) is not in the jsonb either, so it cannot be filtered on.
   */
  private columnAt(key: string, pathText: string): Exclude<MappedColumn, { kind: 'unsupported' }> | undefined {
    const column = this.columns.get(key.toLowerCase());
    const dot = key.lastIndexOf('.');
    const parentColumn = dot > key.lastIndexOf(':') ? this.columns.get(key.slice(0, dot).toLowerCase()) : undefined;
    if (column?.kind === 'unsupported') throw new InvalidFilterError(`filtering on '${pathText}' is not supported: ${column.reason}`);
    if (column === undefined && parentColumn?.kind === 'unsupported') {
      throw new InvalidFilterError(`filtering on '${pathText}' is not supported: ${parentColumn.reason}`);
    }
    if (column === undefined && parentColumn?.kind === 'presentComplex') {
      throw new InvalidFilterError(`filtering on '${pathText}' is not supported`);
    }
    return column;
  }

  /**
   * `predicate` over each value at `site` (a jsonb expression), true when one satisfies it. Like the evaluator's
   * elementsOf, a multi-valued attribute stored as a lone value counts as one element.
   */
  private anyValue(site: JsonSite, predicate: (value: string) => string): string {
    this.readsDocuments = true;
    let current = site.root;
    for (const [index, step] of site.steps.entries()) {
      current = `${current} -> ${jsonKeyLiteral(step.key)}`;
      if (step.multiValued) {
        const alias = `element${++this.aliasCount}`;
        const rest = this.anyValue({ kind: 'json', root: `${alias}.value`, steps: site.steps.slice(index + 1) }, predicate);
        return `EXISTS (SELECT 1 FROM jsonb_array_elements(${elementsOf(current)}) AS ${alias}(value) WHERE ${rest})`;
      }
    }
    return predicate(current);
  }

  private present(site: ValueSite): string {
    if (site.kind === 'json') return this.anyValue(site, (value) => `jsonb_path_exists(${value}, ${PRESENT_JSONPATH})`);
    const { column } = site;
    switch (column.kind) {
      case 'string':
        return `(${column.expression} <> '')`;
      case 'boolean':
      case 'dateTime':
        return `(${column.expression} IS NOT NULL)`;
      case 'presentComplex':
        return 'TRUE';
    }
  }

  private compare(site: ValueSite, op: ComparisonOperator, operand: string | number | boolean, compared: AttributeDefinition): string {
    if (site.kind === 'json') return this.anyValue(site, (value) => this.compareJson(value, op, operand, compared));
    const { column } = site;
    switch (column.kind) {
      case 'string': {
        const text = operand as string;
        if (isCaseExact(compared)) {
          if (column.uuidExpression && (op === 'eq' || op === 'ne') && LOWER_CASE_UUID.test(text)) {
            return `(${column.uuidExpression} ${SQL_OPERATORS[op]} ${this.parameters.add(text, 'uuid')})`;
          }
          return this.compareText(column.expression, op, text, 'none');
        }
        return column.lowerCaseExpression
          ? this.compareText(column.lowerCaseExpression, op, text, 'lowerCaseOperand')
          : this.compareText(`lower(${column.expression})`, op, text, 'lowerInSql');
      }
      case 'boolean':
        return `(${column.expression} ${sqlOperator(op)} ${this.parameters.add(operand as boolean, 'boolean')})`;
      case 'dateTime': {
        const millis = Math.max(parseDateTime(operand as string)!, EARLIEST_TIMESTAMP_MILLIS);
        return `(${column.expression} ${sqlOperator(op)} to_timestamp(${this.parameters.add(millis, 'bigint')} / 1000.0))`;
      }
      case 'presentComplex':
        throw new Error('a complex attribute is never compared (coerceFilterValue refuses it)');
    }
  }

  /** One jsonb value against the operand; NULL or false when the value is not of the attribute's type. */
  private compareJson(value: string, op: ComparisonOperator, operand: string | number | boolean, compared: AttributeDefinition): string {
    switch (compared.type) {
      case 'string':
      case 'reference':
      case 'binary': {
        const text = `${value} #>> '{}'`;
        const comparison = isCaseExact(compared)
          ? this.compareText(`(${text})`, op, operand as string, 'none')
          : this.compareText(`lower(${text})`, op, operand as string, 'lowerInSql');
        return `(jsonb_typeof(${value}) = 'string' AND ${comparison})`;
      }
      case 'integer':
      case 'decimal':
        // CASE, not AND: PostgreSQL may evaluate AND's operands in any order, and the cast raises on a non-number.
        return `(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric END ${sqlOperator(op)} ${this.parameters.add(operand as number, 'numeric')})`;
      case 'boolean':
        return `(CASE WHEN jsonb_typeof(${value}) = 'boolean' THEN (${value})::boolean END ${sqlOperator(op)} ${this.parameters.add(operand as boolean, 'boolean')})`;
      case 'dateTime': {
        // Instants in epoch milliseconds, parsed exactly as libs/scim's parseDateTime (see the migration).
        const millis = parseDateTime(operand as string)!;
        return `(scim_date_time_millis(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${value} #>> '{}' END) ${sqlOperator(op)} ${this.parameters.add(millis, 'bigint')})`;
      }
      case 'complex':
        throw new Error('a complex attribute is never compared (coerceFilterValue refuses it)');
    }
  }

  /**
   * Text comparison. `fold`: 'none' compares as is (caseExact); 'lowerInSql' wraps the operand in lower() like
   * the value; 'lowerCaseOperand' lower-cases the operand here, for a column the projection lower-cased with
   * the same String#toLowerCase, which keeps `column = $n` index-friendly.
   */
  private compareText(value: string, op: ComparisonOperator, operand: string, fold: 'none' | 'lowerInSql' | 'lowerCaseOperand'): string {
    const text = fold === 'lowerCaseOperand' ? operand.toLowerCase() : operand;
    const parameter = (argument: string): string => {
      const placeholder = this.parameters.add(argument, 'text');
      return fold === 'lowerInSql' ? `lower(${placeholder})` : placeholder;
    };
    switch (op) {
      case 'co':
        return `(${value} LIKE ${parameter(`%${escapeLikePattern(text)}%`)} ESCAPE '\\')`;
      case 'sw':
        return `(${value} LIKE ${parameter(`${escapeLikePattern(text)}%`)} ESCAPE '\\')`;
      case 'ew':
        return `(${value} LIKE ${parameter(`%${escapeLikePattern(text)}`)} ESCAPE '\\')`;
      case 'eq':
      case 'ne':
        // Equality needs no collation (deterministic collations compare bytes), and must keep the column's own
        // collation for its index to apply.
        return `(${value} ${SQL_OPERATORS[op]} ${parameter(text)})`;
      default:
        // Code-point order, as the evaluator (and UTF-8 byte order) has it.
        return `(${value} COLLATE "C" ${SQL_OPERATORS[op]} ${parameter(text)})`;
    }
  }
}

/** The jsonb path of an attribute (and sub-attribute): under its schema URN when it belongs to an extension. */
function jsonSite(mapping: ColumnMapping, resolved: ResolvedAttribute, subAttribute: AttributeDefinition | undefined): JsonSite {
  const steps: JsonStep[] = [];
  if (resolved.inExtension) steps.push({ key: resolved.schemaId, multiValued: false });
  steps.push({ key: resolved.attribute.name, multiValued: resolved.attribute.multiValued });
  if (subAttribute) steps.push({ key: subAttribute.name, multiValued: subAttribute.multiValued });
  return { kind: 'json', root: mapping.attributesColumn, steps };
}

/** The texts of `texts` a document-text prefilter can test, lower-cased, once each (see documentTextPrefilter). */
function prefilterTexts(texts: readonly string[]): string[] {
  return [...new Set(texts.map((text) => text.toLowerCase()))].filter((text) => PREFILTER_SAFE_TEXT.test(text));
}

/** The elements of a multi-valued attribute as a jsonb array: one stored as a lone value counts as one element. */
function elementsOf(attribute: string): string {
  return `CASE jsonb_typeof(${attribute}) WHEN 'array' THEN ${attribute} ELSE jsonb_build_array(${attribute}) END`;
}

/** The mapping key of a resolved attribute (without sub-attribute): `name`, or `<schema URN>:name` in an extension. */
export function attributeKey(resolved: ResolvedAttribute): string {
  return resolved.inExtension ? `${resolved.schemaId}:${resolved.attribute.name}` : resolved.attribute.name;
}

function sqlOperator(op: ComparisonOperator): string {
  if (op === 'co' || op === 'sw' || op === 'ew') throw new Error(`'${op}' applies to text only (coerceFilterValue refuses it here)`);
  return SQL_OPERATORS[op];
}


/** RFC 7643 §2.3.6: binary values are case-exact whatever the schema says. */
function isCaseExact(definition: AttributeDefinition): boolean {
  return definition.caseExact || definition.type === 'binary';
}

function isCaseInsensitiveText(definition: AttributeDefinition): boolean {
  return (definition.type === 'string' || definition.type === 'reference') && !definition.caseExact;
}

/**
 * A resolved path as read in `scope`: inside `name[givenName eq "x"]` the values are those of `name.givenName`,
 * read as such, so a sub-attribute held in a column (meta.created) is read from its column.
 */
function targetIn(target: FilterAttributeTarget, scope: Scope): FilterAttributeTarget {
  return scope.kind === 'singular' ? { ...target, withinElement: false } : target;
}

/**
 * The operand of the exact shape a TypedValueColumn serves (`type eq "<type>"` and `<subAttribute> eq "x"`, both
 * case-insensitive strings), or undefined.
 */
function typedValueOperand(column: TypedValueColumn, typeTest: ResolvedFilter, valueTest: ResolvedFilter): string | undefined {
  if (typeTest.kind !== 'compare' || valueTest.kind !== 'compare' || typeTest.op !== 'eq' || valueTest.op !== 'eq') return undefined;
  const typeTarget = typeTest.target;
  const valueTarget = valueTest.target;
  if (typeTarget.compared.name.toLowerCase() !== 'type' || valueTarget.compared.name.toLowerCase() !== column.subAttribute.toLowerCase()) {
    return undefined;
  }
  // The column holds lower-cased text: it answers only case-insensitive string comparisons.
  if (!isCaseInsensitiveText(typeTarget.compared) || !isCaseInsensitiveText(valueTarget.compared)) return undefined;
  const type = typeTest.operand;
  const value = valueTest.operand;
  if (typeof type !== 'string' || typeof value !== 'string' || type.toLowerCase() !== column.type) return undefined;
  return value;
}

/**
 * Texts that every value matching `filter` contains (as a substring): the operands of the string `eq`, `co`,
 * `sw` and `ew` comparisons that `filter` needs all of (its `and` terms; an `or` or `not` needs none).
 */
function requiredTexts(filter: ResolvedFilter): string[] {
  switch (filter.kind) {
    case 'and':
      return [...requiredTexts(filter.left), ...requiredTexts(filter.right)];
    case 'compare': {
      if (!PREFILTERED_OPERATORS.has(filter.op)) return [];
      const { compared } = filter.target;
      if (compared.type !== 'string' && compared.type !== 'reference' && compared.type !== 'binary') return [];
      return typeof filter.operand === 'string' ? [filter.operand] : [];
    }
    default:
      return [];
  }
}
