import { parseAttributePath } from '../filter/filter.parser.js';
import type { AttributeDefinition } from '../schema/attribute-definition.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidSyntaxError, InvalidValueError, ScimError } from '../scim-error.js';
import { findKey } from './attribute-access.js';
import { isPlainObject, type JsonObject } from './json-value.js';
import { normaliseAttributeValue, type UnknownAttributePolicy } from './attribute-value.normaliser.js';
import { assertResourceInvariants } from './resource.invariants.js';

/** A resource as JSON: core and common attributes at the top level, extension attributes under their URN. */
export type ScimResource = JsonObject;

export interface ResourceNormalisationOptions {
  /** RFC 7644 §3.3: unknown attributes are invalidSyntax by default; `ignore` drops them. */
  readonly unknownAttributes?: UnknownAttributePolicy;
}

/**
 * Validates and normalises a POST or PUT body (RFC 7644 §3.3, §3.5.1) against the registry:
 *  - attribute names take the schema's case (RFC 7643 §2.1); values are normalised by normaliseAttributeValue
 *    (string booleans, numeric strings, explicit null = absent, Entra's bare-string manager);
 *  - readOnly attributes (id, meta, groups, ...) are ignored (RFC 7643 §2.2, RFC 7644 §3.5.1: Okta's PUT echoes them);
 *  - extension attributes are accepted under their URN, or as URN-qualified keys
 *    (`"urn:...:enterprise:2.0:User:employeeNumber": "1"`), whether or not the URN is in `schemas` (Entra omits
 *    custom ones); unknown URNs in `schemas` are ignored (Entra lists an ADSCIM Group URN, Google Workspace the
 *    SCIM 1.0 core URN `urn:scim:schemas:core:1.0` beside the 2.0 one);
 *  - the result's `schemas` is the core schema plus every extension present (RFC 7643 §3);
 *  - dotted keys such as `name.givenName` belong to PATCH only (RFC 7644 §3.5.2) and are invalidSyntax here;
 *  - then the invariants of resource.invariants.ts: required attributes, one primary per multi-valued attribute.
 * Returns a new object; the body is not modified.
 */
export function normaliseResource(
  body: unknown,
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  options: ResourceNormalisationOptions = {},
): ScimResource {
  if (!isPlainObject(body)) throw new InvalidSyntaxError(`the ${resourceType} must be a JSON object`);
  const core: JsonObject = {};
  const extensions = new Map<string, JsonObject>();
  const topLevel = registry.topLevelAttributes(resourceType);

  const containerFor = (extensionId: string | undefined): JsonObject => {
    if (extensionId === undefined) return core;
    const container = extensions.get(extensionId) ?? {};
    extensions.set(extensionId, container);
    return container;
  };
  const place = (attribute: AttributeDefinition, value: unknown, extensionId?: string): void => {
    if (attribute.mutability === 'readOnly') return;
    const target = containerFor(extensionId);
    const pathText = extensionId === undefined ? attribute.name : `${extensionId}:${attribute.name}`;
    if (Object.hasOwn(target, attribute.name)) {
      throw new InvalidSyntaxError(`attribute '${pathText}' is given twice (names are case-insensitive)`);
    }
    const normalised = normaliseAttributeValue(attribute, value, pathText, options);
    if (normalised !== undefined) target[attribute.name] = normalised;
  };

  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      requireSchemaList(value);
      continue;
    }
    const extension = registry.findExtension(resourceType, key);
    if (extension) {
      if (value === null || value === undefined) continue;
      if (!isPlainObject(value)) throw new InvalidValueError(`'${extension.id}' must be a JSON object of ${extension.name} attributes`);
      for (const [name, attributeValue] of Object.entries(value)) {
        const attribute = extension.attributes.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
        if (attribute) place(attribute, attributeValue, extension.id);
        else rejectUnknown(`${extension.id}:${name}`, options);
      }
      continue;
    }
    if (key.includes(':')) {
      const resolved = resolveQualifiedKey(registry, resourceType, key);
      if (resolved) place(resolved.attribute, value, resolved.inExtension ? resolved.schemaId : undefined);
      else rejectUnknown(key, options);
      continue;
    }
    if (key.includes('.')) {
      throw new InvalidSyntaxError(
        `'${key}': attribute paths with "." are only allowed in PATCH (RFC 7644 §3.5.2); send the complex attribute as an object`,
      );
    }
    const attribute = topLevel.find((candidate) => candidate.name.toLowerCase() === key.toLowerCase());
    if (attribute) place(attribute, value);
    else rejectUnknown(key, options);
  }

  const resource: ScimResource = { schemas: [] };
  Object.assign(resource, core);
  for (const [extensionId, values] of extensions) {
    if (Object.keys(values).length > 0) resource[extensionId] = values;
  }
  resource.schemas = schemasPresentIn(resource, registry, resourceType);
  assertResourceInvariants(resource, registry, resourceType);
  return resource;
}

/** The core schema's URN followed by the URN of every extension the resource carries (RFC 7643 §3 `schemas`). */
export function schemasPresentIn(resource: JsonObject, registry: SchemaRegistry, resourceType: ResourceTypeName): string[] {
  const present = registry
    .extensionSchemas(resourceType)
    .filter((extension) => {
      const key = findKey(resource, extension.id);
      return key !== undefined && isPlainObject(resource[key]) && Object.keys(resource[key]).length > 0;
    })
    .map((extension) => extension.id);
  return [registry.coreSchema(resourceType).id, ...present];
}

/** `urn:...:User:userName` or `urn:...:enterprise:2.0:User:employeeNumber`: a whole attribute, no sub-attribute. */
function resolveQualifiedKey(registry: SchemaRegistry, resourceType: ResourceTypeName, key: string) {
  try {
    const path = parseAttributePath(key);
    if (path.uri === undefined || path.subAttribute !== undefined) return undefined;
    return registry.findAttribute(resourceType, path);
  } catch (error) {
    if (error instanceof ScimError) return undefined;
    throw error;
  }
}

function requireSchemaList(value: unknown): void {
  if (value === null || value === undefined) return;
  if (!Array.isArray(value) || !value.every((schema) => typeof schema === 'string')) {
    throw new InvalidValueError(`attribute 'schemas' must be an array of schema URIs`);
  }
}

function rejectUnknown(name: string, options: ResourceNormalisationOptions): void {
  if (options.unknownAttributes === 'ignore') return;
  throw new InvalidSyntaxError(`unknown attribute '${name}'`);
}
