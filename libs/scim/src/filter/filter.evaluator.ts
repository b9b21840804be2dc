import { elementsOf, getIgnoringCase, isPresentValue, readAttribute } from '../resource/attribute-access.js';
import { isPlainObject, type JsonObject } from '../resource/json-value.js';
import { parseDateTime } from '../resource/date-time.js';
import { findSubAttribute, type AttributeDefinition } from '../schema/attribute-definition.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidFilterError } from '../scim-error.js';
import type { AttributePath, ComparisonOperator, Filter, FilterValue } from './filter.ast.js';

/**
 * The in-memory evaluator of a filter AST: the reference semantics the SQL compiler must reproduce.
 *
 * Resolution (checked once, before any resource is looked at, so an empty result set fails the same way):
 *  - Attribute names and schema URNs are case-insensitive (RFC 7643 §2.1); an unqualified name is looked up in
 *    the common attributes, the core schema, then the extensions (SchemaRegistry.findAttribute). An unknown
 *    attribute is invalidFilter.
 *  - Extension attributes are read from `resource[<schema URN>]`; keys in the resource JSON match case-insensitively.
 *  - Comparing a complex attribute without a sub-attribute compares its `value` sub-attribute (RFC 7644 §3.4.2.2
 *    "emails co ..."); this applies to singular complex attributes with a `value` too (`manager eq "id"`).
 *    A complex attribute without `value` (name, meta) cannot be compared: invalidFilter. `pr` works on any attribute.
 *  - Inside `attr[...]` paths name sub-attributes of `attr`, which must be complex; value paths do not nest.
 *
 * Values: an attribute has a list of values: none when absent or null, the elements of a multi-valued attribute,
 * the sub-attribute of each element for `emails.value`, else the single value. A comparison is true when at
 * least one value satisfies it (RFC 7644 §3.4.2.2, multi-valued attributes). Hence every comparison, `ne`
 * included, is false on an absent attribute; `not (title eq "x")` is how to include resources without a title.
 * Exception: `eq null` means "not present" and `ne null` means "present"; other operators reject null.
 *
 * Operand: the literal is converted to the attribute's type first (coerceFilterValue): for string, reference and
 * binary a number or boolean becomes its JSON text (Entra's unquoted values); for boolean "true"/"false" in any
 * case; for integer and decimal a numeric string; dateTime literals must parse. Anything else is invalidFilter.
 *
 * Comparing one value (a stored value of the wrong JSON type never matches):
 *  - string, reference: when the schema says caseExact false both sides are lower-cased (String#toLowerCase)
 *    first; binary is always case-exact (RFC 7643 §2.3.6). eq/ne equality, co/sw/ew substring/prefix/suffix,
 *    gt/ge/lt/le order by Unicode code point (what PostgreSQL's "C" collation does on UTF-8).
 *  - integer, decimal: numeric; co/sw/ew are invalidFilter.
 *  - boolean: eq/ne only; anything else invalidFilter (RFC 7644 §3.4.2.2 for gt/ge/lt/le).
 *  - binary: gt/ge/lt/le invalidFilter (RFC 7644 §3.4.2.2).
 *  - dateTime: eq/ne/gt/ge/lt/le compare instants (millisecond precision; no zone means UTC, see date-time.ts);
 *    co/sw/ew invalidFilter. A stored value that is not an xsd:dateTime matches nothing.
 *  - pr: true when some value is present: not null, not an empty string, not an empty array, not an object
 *    whose attributes are all absent (RFC 7644 §3.4.2.2 "If the attribute is empty, then it is not present").
 * Logic: and, or, not are the Boolean connectives over the results above.
 */

export type FilterPredicate = (resource: JsonObject) => boolean;

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

export function matchesFilter(
  resource: JsonObject,
  filter: Filter,
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
): boolean {
  return compileFilter(filter, registry, resourceType)(resource);
}

/** Resolves and checks the filter once (throwing InvalidFilterError), returning a predicate over resources. */
export function compileFilter(filter: Filter, registry: SchemaRegistry, resourceType: ResourceTypeName): FilterPredicate {
  return compileNode(filter, { registry, resourceType });
}

/**
 * A predicate over the elements of a multi-valued complex attribute, for a filter whose paths name its
 * sub-attributes (`type eq "work"`, as inside `emails[...]` or a PATCH path's value filter).
 */
export function compileElementFilter(
  filter: Filter,
  parent: ResolvedAttribute,
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
): (element: JsonObject) => boolean {
  requireComplexForValueFilter(parent, formatAttributePath(parent));
  return compileNode(filter, { registry, resourceType, parent });
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
export function coerceFilterValue(
  op: ComparisonOperator,
  value: FilterValue,
  compared: AttributeDefinition,
  pathText: string,
): FilterValue {
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
        throw new InvalidFilterError(
          `expected ${article(compared.type)} ${compared.type} to compare with '${pathText}', got ${JSON.stringify(value)}`,
        );
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

interface CompileContext {
  readonly registry: SchemaRegistry;
  readonly resourceType: ResourceTypeName;
  /** Set inside a value filter: paths name sub-attributes of this attribute and are read from one element. */
  readonly parent?: ResolvedAttribute;
}

function compileNode(filter: Filter, context: CompileContext): (subject: JsonObject) => boolean {
  switch (filter.kind) {
    case 'and': {
      const left = compileNode(filter.left, context);
      const right = compileNode(filter.right, context);
      return (subject) => left(subject) && right(subject);
    }
    case 'or': {
      const left = compileNode(filter.left, context);
      const right = compileNode(filter.right, context);
      return (subject) => left(subject) || right(subject);
    }
    case 'not': {
      const inner = compileNode(filter.filter, context);
      return (subject) => !inner(subject);
    }
    case 'present': {
      const target = resolveFilterAttribute(context.registry, context.resourceType, filter.path, context.parent);
      const read = valueReader(target, false);
      return (subject) => read(subject).some(isPresentValue);
    }
    case 'compare':
      return compileComparison(filter.path, filter.op, filter.value, context);
    case 'valuePath': {
      if (context.parent) throw new InvalidFilterError(`value filters cannot nest: '${formatPath(filter.path)}[...]'`);
      if (filter.path.subAttribute !== undefined) {
        throw new InvalidFilterError(`a value filter applies to an attribute, not to '${formatPath(filter.path)}'`);
      }
      const resolved = context.registry.findAttribute(context.resourceType, filter.path);
      if (!resolved) throw new InvalidFilterError(`unknown attribute '${formatPath(filter.path)}' in filter for ${context.resourceType}`);
      requireComplexForValueFilter(resolved, formatPath(filter.path));
      const matchesElement = compileNode(filter.filter, { ...context, parent: resolved });
      return (resource) =>
        elementsOf(readAttribute(resource, resolved)).some((element) => isPlainObject(element) && matchesElement(element));
    }
  }
}

function compileComparison(
  path: AttributePath,
  op: ComparisonOperator,
  literal: FilterValue,
  context: CompileContext,
): (subject: JsonObject) => boolean {
  const target = resolveFilterAttribute(context.registry, context.resourceType, path, context.parent);
  const pathText = formatPath(path);
  const operand = coerceFilterValue(op, literal, target.compared, pathText);
  const read = valueReader(target, target.impliesValueSubAttribute);
  if (operand === null) {
    return op === 'eq' ? (subject) => !read(subject).some(isPresentValue) : (subject) => read(subject).some(isPresentValue);
  }
  const test = valueTest(op, operand, target.compared);
  return (subject) => read(subject).some(test);
}

/** Reads the list of values a path denotes from a resource, or from one element inside a value filter. */
function valueReader(target: FilterAttributeTarget, readValueSubAttribute: boolean): (subject: JsonObject) => unknown[] {
  const { resolved } = target;
  if (target.withinElement) {
    const name = resolved.definition.name;
    return (element) => elementsOf(getIgnoringCase(element, name));
  }
  const subAttributeName = resolved.subAttribute?.name ?? (readValueSubAttribute ? 'value' : undefined);
  const readTopLevel = (resource: JsonObject): unknown[] => elementsOf(readAttribute(resource, resolved));
  if (subAttributeName === undefined) return readTopLevel;
  return (resource) =>
    readTopLevel(resource).flatMap((element) =>
      isPlainObject(element) ? elementsOf(getIgnoringCase(element, subAttributeName)) : [],
    );
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

function valueTest(op: ComparisonOperator, operand: string | number | boolean, compared: AttributeDefinition): (value: unknown) => boolean {
  switch (compared.type) {
    case 'string':
    case 'reference':
    case 'binary': {
      const caseExact = compared.caseExact || compared.type === 'binary';
      const fold = (text: string): string => (caseExact ? text : text.toLowerCase());
      const wanted = fold(operand as string);
      return (value) => typeof value === 'string' && testText(op, fold(value), wanted);
    }
    case 'integer':
    case 'decimal':
      return (value) => typeof value === 'number' && testOrder(op, Math.sign(value - (operand as number)));
    case 'boolean':
      return (value) => typeof value === 'boolean' && testOrder(op, value === operand ? 0 : 1);
    case 'dateTime': {
      const wanted = parseDateTime(operand as string)!;
      return (value) => {
        const instant = typeof value === 'string' ? parseDateTime(value) : undefined;
        return instant !== undefined && testOrder(op, Math.sign(instant - wanted));
      };
    }
    case 'complex':
      return () => false;
  }
}

function testText(op: ComparisonOperator, value: string, operand: string): boolean {
  switch (op) {
    case 'co':
      return value.includes(operand);
    case 'sw':
      return value.startsWith(operand);
    case 'ew':
      return value.endsWith(operand);
    default:
      return testOrder(op, compareCodePoints(value, operand));
  }
}

/** `order` is the sign of (stored value − operand). */
function testOrder(op: ComparisonOperator, order: number): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    default:
      return false;
  }
}

/** Orders strings by Unicode code point, not UTF-16 unit, so astral characters sort as they do in UTF-8 bytes. */
export function compareCodePoints(left: string, right: string): number {
  const leftPoints = Array.from(left);
  const rightPoints = Array.from(right);
  const length = Math.min(leftPoints.length, rightPoints.length);
  for (let index = 0; index < length; index += 1) {
    const difference = leftPoints[index].codePointAt(0)! - rightPoints[index].codePointAt(0)!;
    if (difference !== 0) return Math.sign(difference);
  }
  return Math.sign(leftPoints.length - rightPoints.length);
}

function parseNumber(text: string): number | undefined {
  return /^\s*-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
