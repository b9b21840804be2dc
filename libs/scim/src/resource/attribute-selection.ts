import { parseAttributePath } from '../filter/filter.parser.js';
import type { AttributeDefinition } from '../schema/attribute-definition.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidFilterError, InvalidPathError } from '../scim-error.js';
import { elementsOf, findKey } from './attribute-access.js';
import { isPlainObject, type JsonObject } from './json-value.js';

export interface AttributeSelection {
  /** RFC 7644 §3.4.2.5 `attributes`: a comma-separated list (or its items) of attribute paths. */
  readonly attributes?: string | readonly string[];
  /** RFC 7644 §3.4.2.5 `excludedAttributes`, likewise. */
  readonly excludedAttributes?: string | readonly string[];
}

/** Which sub-attributes of an attribute a list names: all of them, or some. */
type Selection = 'whole' | Set<string>;

/**
 * The representation of a resource a client asked for (RFC 7644 §3.4.2.5, §3.9), honouring `returned`
 * (RFC 7643 §2.4, §7):
 *  - `never` (password) is never returned; `always` (id, schemas, meta) always is, whatever the lists say;
 *  - with `attributes`, only those attributes (and `always` ones) are returned: a complex or multi-valued attribute
 *    named whole brings its sub-attributes, a sub-attribute path (`name.givenName`, `emails.value`) only that one;
 *    `request` attributes are returned only when named;
 *  - otherwise `default` attributes are returned, minus those in `excludedAttributes` (a sub-attribute path
 *    removes only that sub-attribute); `excludedAttributes=members` drops a group's members, which Entra needs;
 *  - names are case-insensitive and may be URN-qualified; an extension URN names all its attributes;
 *    names the schemas do not define are ignored (a malformed name is invalidPath);
 *  - attributes the registry does not define count as `default`; complex values left empty are dropped.
 * When both lists are given, `excludedAttributes` removes from what `attributes` selected.
 */
export function selectAttributes(
  resource: JsonObject,
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  options: AttributeSelection = {},
): JsonObject {
  const requested = options.attributes === undefined ? undefined : selectionsOf(options.attributes, registry, resourceType);
  const excluded = selectionsOf(options.excludedAttributes ?? [], registry, resourceType);
  const core = registry.coreSchema(resourceType);
  const extensionKeys = new Set(
    registry.extensionSchemas(resourceType).map((extension) => findKey(resource, extension.id)).filter((key) => key !== undefined),
  );

  const selectFrom = (values: JsonObject, attributes: readonly AttributeDefinition[], schemaId: string): JsonObject => {
    const result: JsonObject = {};
    for (const [key, value] of Object.entries(values)) {
      if (schemaId === core.id && extensionKeys.has(key)) continue;
      const attribute = attributes.find((candidate) => candidate.name.toLowerCase() === key.toLowerCase());
      const selectionKey = keyOf(schemaId, attribute?.name ?? key);
      const kept = attribute
        ? selectAttribute(attribute, value, requested?.get(selectionKey), excluded.get(selectionKey), requested !== undefined)
        : requested === undefined && !excluded.has(selectionKey)
          ? value
          : undefined;
      if (kept !== undefined) result[key] = kept;
    }
    return result;
  };

  const selected = selectFrom(resource, registry.topLevelAttributes(resourceType), core.id);
  for (const extension of registry.extensionSchemas(resourceType)) {
    const key = findKey(resource, extension.id);
    const values = key === undefined ? undefined : resource[key];
    if (key === undefined || !isPlainObject(values)) continue;
    const extensionValues = selectFrom(values, extension.attributes, extension.id);
    if (Object.keys(extensionValues).length > 0) selected[key] = extensionValues;
  }
  return selected;
}

/**
 * Whether a representation selected with these options would include the core attribute `name` (or some of its
 * sub-attributes): for values the service provider computes only when they are returned, such as a User's
 * `groups`, read from the group members on request.
 */
export function returnsAttribute(registry: SchemaRegistry, resourceType: ResourceTypeName, options: AttributeSelection, name: string): boolean {
  const core = registry.coreSchema(resourceType);
  const attribute = core.attributes.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (!attribute) return false;
  const key = keyOf(core.id, attribute.name);
  const requested = options.attributes === undefined ? undefined : selectionsOf(options.attributes, registry, resourceType);
  const excluded = selectionsOf(options.excludedAttributes ?? [], registry, resourceType);
  const element = Object.fromEntries((attribute.subAttributes ?? []).map((subAttribute) => [subAttribute.name, 'x']));
  const sample = attribute.type !== 'complex' ? 'x' : attribute.multiValued ? [element] : element;
  return selectAttribute(attribute, sample, requested?.get(key), excluded.get(key), requested !== undefined) !== undefined;
}

function selectAttribute(
  attribute: AttributeDefinition,
  value: unknown,
  requested: Selection | undefined,
  excluded: Selection | undefined,
  hasAttributeList: boolean,
): unknown {
  if (attribute.returned === 'never') return undefined;
  if (attribute.returned !== 'always') {
    if (excluded === 'whole') return undefined;
    const selected = hasAttributeList ? requested !== undefined : attribute.returned === 'default';
    if (!selected) return undefined;
  }
  if (attribute.type !== 'complex') return value;

  const keepSubAttribute = (subAttribute: AttributeDefinition): boolean => {
    if (subAttribute.returned === 'never') return false;
    if (subAttribute.returned === 'always') return true;
    if (excluded instanceof Set && excluded.has(subAttribute.name.toLowerCase())) return false;
    if (requested instanceof Set) return requested.has(subAttribute.name.toLowerCase());
    return subAttribute.returned === 'default';
  };
  const selectElement = (element: unknown): unknown => {
    if (!isPlainObject(element)) return element;
    const result: JsonObject = {};
    for (const [key, subValue] of Object.entries(element)) {
      const subAttribute = attribute.subAttributes?.find((candidate) => candidate.name.toLowerCase() === key.toLowerCase());
      if (subAttribute ? keepSubAttribute(subAttribute) : !(requested instanceof Set)) result[key] = subValue;
    }
    return Object.keys(result).length === 0 ? undefined : result;
  };
  if (!attribute.multiValued) return selectElement(value);
  const elements = elementsOf(value).map(selectElement).filter((element) => element !== undefined);
  return elements.length === 0 ? undefined : elements;
}

/** Parses an attribute list into selections keyed by `schemaId|attribute`, lower-cased. */
function selectionsOf(list: string | readonly string[], registry: SchemaRegistry, resourceType: ResourceTypeName): Map<string, Selection> {
  const names = (typeof list === 'string' ? [list] : list).flatMap((item) => item.split(',')).map((name) => name.trim()).filter(Boolean);
  const selections = new Map<string, Selection>();
  const select = (key: string, subAttribute: string | undefined): void => {
    const current = selections.get(key);
    if (subAttribute === undefined || current === 'whole') return void selections.set(key, 'whole');
    selections.set(key, new Set([...(current ?? []), subAttribute.toLowerCase()]));
  };
  for (const name of names) {
    const extension = registry.findExtension(resourceType, name);
    if (extension) {
      for (const attribute of extension.attributes) select(keyOf(extension.id, attribute.name), undefined);
      continue;
    }
    const resolved = registry.findAttribute(resourceType, parseListedPath(name));
    if (resolved) select(keyOf(resolved.schemaId, resolved.attribute.name), resolved.subAttribute?.name);
  }
  return selections;
}

function parseListedPath(name: string) {
  try {
    return parseAttributePath(name);
  } catch (error) {
    if (error instanceof InvalidFilterError) {
      throw new InvalidPathError(`'${name}' is not an attribute name (RFC 7644 §3.4.2.5): ${error.detail}`);
    }
    throw error;
  }
}

function keyOf(schemaId: string, attributeName: string): string {
  return `${schemaId}|${attributeName}`.toLowerCase();
}
