import { parseDateTime } from '../resource/date-time.js';
import { findSubAttribute, type AttributeDefinition } from '../schema/attribute-definition.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidFilterError } from '../scim-error.js';
import type { AttributePath, ComparisonOperator, Filter, FilterValue } from './filter.ast.js';

/**
 * A filter resolved against the schemas, once: each path with the attribute definitions it names, each literal
 * converted to the compared attribute's type. Both the in-memory evaluator (filter.evaluator.ts) and the SQL
 * compiler (libs/read-model) walk this tree; neither looks a name up again. resolveFilter throws the
 * invalidFilter of the first problem, in the order the filter reads (left before right).
 *
 * The rules (RFC 7644 §3.4.2.2, RFC 7643 §2):
 *  - Attribute names and schema URNs are case-insensitive; an unqualified name is looked up in the common
 *    attributes, the core schema, then the extensions (SchemaRegistry.findAttribute). Unknown: invalidFilter.
 *  - Comparing a complex attribute without a sub-attribute compares its `value` sub-attribute ("emails co ...",
 *    also `manager eq "id"`); one without `value` (name, meta) cannot be compared. `pr` works on any attribute.
 *  - Inside `attr[...]` paths name sub-attributes of `attr`, which must be complex; value paths do not nest.
 *  - The literal is converted to the compared type (coerceFilterValue); an operator that does not apply to the
 *    type, or a literal that does not convert, is invalidFilter.
 */
export type ResolvedFilter =
  | {
      readonly kind: 'compare';
      readonly path: AttributePath;
      readonly target: FilterAttributeTarget;
      readonly op: ComparisonOperator;
      /** The literal as the compared type: null only with eq (not present) and ne (present). */
      readonly operand: FilterValue;
    }
  | { readonly kind: 'present'; readonly path: AttributePath; readonly target: FilterAttributeTarget }
  | { readonly kind: 'and'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'or'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'not'; readonly filter: ResolvedFilter }
  /** `attr[filter]`: `parent` is the complex attribute, `filter`'s targets are its sub-attributes. */
  | { readonly kind: 'valuePath'; readonly path: AttributePath; readonly parent: ResolvedAttribute; readonly filter: ResolvedFilter };

/** What a path in a filter compares: where it resolved, and the definition of the compared values. */
export interface FilterAttributeTarget {
  readonly resolved: ResolvedAttribute;
  /** The definition the compared values follow: the sub-attribute, the `value` sub-attribute or the attribute. */
  readonly compared: AttributeDefinition;
  /** True when a complex attribute was named without sub-attribute and its `value` is compared. */
  readonly impliesValueSubAttribute: boolean;
  /** True inside a value filter: the values are read from one element, `resolved.subAttribute` of it. */
  readonly withinElement: boolean;
}

/** Resolves a filter over resources of `resourceType` (throwing InvalidFilterError). */
export function resolveFilter(filter: Filter, registry: SchemaRegistry, resourceType: ResourceTypeName): ResolvedFilter {
  return resolveNode(filter, { registry, resourceType });
}

/**
 * Resolves a filter whose paths name sub-attributes of the multi-valued complex attribute `parent`
 * (`type eq "work"`, as inside `emails[...]` or a PATCH path's value filter).
 */
export function resolveElementFilter(filter: Filter, parent: ResolvedAttribute, registry: SchemaRegistry, resourceType: ResourceTypeName): ResolvedFilter {
  requireComplexForValueFilter(parent, formatAttributePath(parent));
  return resolveNode(filter, { registry, resourceType, parent });
}

/**
 * Resolves a filter path: at the resource level (`parent` absent) or as a sub-attribute of `parent`.
 * Throws InvalidFilterError for unknown attributes.
 */
export function resolveFilterAttribute(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  path: AttributePath,
  parent?: ResolvedAttribute,
): FilterAttributeTarget {
  const resolved = parent ? resolveInElement(parent, path) : registry.findAttribute(resourceType, path);
  if (!resolved) {
    const where = parent ? `${formatAttributePath(parent)}[...]` : resourceType;
    throw new InvalidFilterError(`unknown attribute '${formatPath(path)}' in filter for ${where}`);
  }
  const withinElement = parent !== undefined;
  const { definition } = resolved;
  const valueSubAttribute = definition.type === 'complex' ? findSubAttribute(definition, 'value') : undefined;
  return valueSubAttribute
    ? { resolved, compared: valueSubAttribute, impliesValueSubAttribute: true, withinElement }
    : { resolved, compared: definition, impliesValueSubAttribute: false, withinElement };
}

/**
 * Converts a filter literal to the type of the compared attribute and checks the operator applies to it,
 * throwing InvalidFilterError otherwise. `null` is returned as is (only with eq and ne).
 */
export function coerceFilterValue(op: ComparisonOperator, value: FilterValue, compared: AttributeDefinition, pathText: string): FilterValue {
  if (compared.type === 'complex') {
    throw new InvalidFilterError(`'${pathText}' is complex: compare one of its sub-attributes`);
  }
  if (!operatorApplies(op, compared)) {
    throw new InvalidFilterError(`operator '${op}' cannot compare ${compared.type} attribute '${pathText}'`);
  }
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null;
    throw new InvalidFilterError(`operator '${op}' cannot compare '${pathText}' with null`);
  }
  switch (compared.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof value === 'string' ? value : String(value);
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw new InvalidFilterError(`expected a boolean to compare with '${pathText}', got ${JSON.stringify(value)}`);
    }
    case 'integer':
    case 'decimal': {
      const number = typeof value === 'number' ? value : typeof value === 'string' ? parseNumber(value) : undefined;
      if (number === undefined || (compared.type === 'integer' && !Number.isInteger(number))) {
        throw new InvalidFilterError(`expected ${article(compared.type)} ${compared.type} to compare with '${pathText}', got ${JSON.stringify(value)}`);
      }
      return number;
    }
    case 'dateTime': {
      if (typeof value === 'string' && parseDateTime(value) !== undefined) return value;
      throw new InvalidFilterError(`expected a dateTime to compare with '${pathText}', got ${JSON.stringify(value)}`);
    }
  }
}

export function formatPath(path: AttributePath): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.attribute}${path.subAttribute ? `.${path.subAttribute}` : ''}`;
}

interface ResolveContext {
  readonly registry: SchemaRegistry;
  readonly resourceType: ResourceTypeName;
  /** Set inside a value filter: paths name sub-attributes of this attribute. */
  readonly parent?: ResolvedAttribute;
}

function resolveNode(filter: Filter, context: ResolveContext): ResolvedFilter {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = resolveNode(filter.left, context);
      return { kind: filter.kind, left, right: resolveNode(filter.right, context) };
    }
    case 'not':
      return { kind: 'not', filter: resolveNode(filter.filter, context) };
    case 'present':
      return { kind: 'present', path: filter.path, target: resolveFilterAttribute(context.registry, context.resourceType, filter.path, context.parent) };
    case 'compare': {
      const target = resolveFilterAttribute(context.registry, context.resourceType, filter.path, context.parent);
      const operand = coerceFilterValue(filter.op, filter.value, target.compared, formatPath(filter.path));
      return { kind: 'compare', path: filter.path, target, op: filter.op, operand };
    }
    case 'valuePath': {
      if (context.parent) throw new InvalidFilterError(`value filters cannot nest: '${formatPath(filter.path)}[...]'`);
      if (filter.path.subAttribute !== undefined) {
        throw new InvalidFilterError(`a value filter applies to an attribute, not to '${formatPath(filter.path)}'`);
      }
      const parent = context.registry.findAttribute(context.resourceType, filter.path);
      if (!parent) throw new InvalidFilterError(`unknown attribute '${formatPath(filter.path)}' in filter for ${context.resourceType}`);
      requireComplexForValueFilter(parent, formatPath(filter.path));
      return { kind: 'valuePath', path: filter.path, parent, filter: resolveNode(filter.filter, { ...context, parent }) };
    }
  }
}

/** Inside `parent[...]` a path names one of parent's sub-attributes: the same as the path `parent.sub`. */
function resolveInElement(parent: ResolvedAttribute, path: AttributePath): ResolvedAttribute | undefined {
  if (path.uri !== undefined || path.subAttribute !== undefined) return undefined;
  const subAttribute = findSubAttribute(parent.attribute, path.attribute);
  if (!subAttribute) return undefined;
  return { ...parent, subAttribute, definition: subAttribute };
}

function requireComplexForValueFilter(resolved: ResolvedAttribute, pathText: string): void {
  if (resolved.definition.type !== 'complex' || resolved.subAttribute !== undefined) {
    throw new InvalidFilterError(`'${pathText}' is not a complex attribute, so it cannot take a value filter`);
  }
}

function formatAttributePath(resolved: ResolvedAttribute): string {
  return resolved.inExtension ? `${resolved.schemaId}:${resolved.attribute.name}` : resolved.attribute.name;
}

function operatorApplies(op: ComparisonOperator, compared: AttributeDefinition): boolean {
  const substring = op === 'co' || op === 'sw' || op === 'ew';
  const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  switch (compared.type) {
    case 'string':
    case 'reference':
      return true;
    case 'binary':
      return !ordering;
    case 'boolean':
      return !substring && !ordering;
    case 'integer':
    case 'decimal':
    case 'dateTime':
      return !substring;
    case 'complex':
      return false;
  }
}

function parseNumber(text: string): number | undefined {
  return /^\s*-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
