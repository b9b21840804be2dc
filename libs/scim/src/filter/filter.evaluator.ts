import { elementsOf, getIgnoringCase, isPresentValue, readAttribute } from '../resource/attribute-access.js';
import { isPlainObject, type JsonObject } from '../resource/json-value.js';
import { parseDateTime } from '../resource/date-time.js';
import type { AttributeDefinition } from '../schema/attribute-definition.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/schema.registry.js';
import type { ComparisonOperator, Filter } from './filter.ast.js';
import { resolveElementFilter, resolveFilter, type FilterAttributeTarget, type ResolvedFilter } from './filter.resolve.js';

/**
 * The in-memory evaluator of a filter AST: the reference semantics the SQL compiler must reproduce. It walks the
 * resolved filter (filter.resolve.ts), as the SQL compiler does.
 *
 * Resolution (resolveFilter, once, before any resource is looked at, so an empty result set fails the same way):
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
 * Operand: the literal is converted to the attribute's type first (coerceFilterValue, in filter.resolve.ts): for string, reference and
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
  return evaluatorOf(resolveFilter(filter, registry, resourceType));
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
  return evaluatorOf(resolveElementFilter(filter, parent, registry, resourceType));
}

/** A predicate over a resource (or, inside a value filter, an element) for a resolved filter. */
export function evaluatorOf(filter: ResolvedFilter): (subject: JsonObject) => boolean {
  switch (filter.kind) {
    case 'and': {
      const left = evaluatorOf(filter.left);
      const right = evaluatorOf(filter.right);
      return (subject) => left(subject) && right(subject);
    }
    case 'or': {
      const left = evaluatorOf(filter.left);
      const right = evaluatorOf(filter.right);
      return (subject) => left(subject) || right(subject);
    }
    case 'not': {
      const inner = evaluatorOf(filter.filter);
      return (subject) => !inner(subject);
    }
    case 'present': {
      const read = valueReader(filter.target, false);
      return (subject) => read(subject).some(isPresentValue);
    }
    case 'compare': {
      const read = valueReader(filter.target, filter.target.impliesValueSubAttribute);
      if (filter.operand === null) {
        return filter.op === 'eq' ? (subject) => !read(subject).some(isPresentValue) : (subject) => read(subject).some(isPresentValue);
      }
      const test = valueTest(filter.op, filter.operand, filter.target.compared);
      return (subject) => read(subject).some(test);
    }
    case 'valuePath': {
      const { parent } = filter;
      const matchesElement = evaluatorOf(filter.filter);
      return (resource) => elementsOf(readAttribute(resource, parent)).some((element) => isPlainObject(element) && matchesElement(element));
    }
  }
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
