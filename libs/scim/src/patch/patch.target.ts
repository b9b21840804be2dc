import type { Filter } from '../filter/filter.ast.js';
import { compileElementFilter } from '../filter/filter.evaluator.js';
import { formatPath } from '../filter/filter.resolve.js';
import type { JsonObject } from '../resource/json-value.js';
import type { UnknownAttributePolicy } from '../resource/attribute-value.normaliser.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { SchemaDefinition } from '../schema/schema.definition.js';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidFilterError, InvalidPathError, InvalidSyntaxError } from '../scim-error.js';
import { parsePatchPath } from './patch-path.parser.js';

/** Where a PATCH operation applies (RFC 7644 §3.5.2 "target location"). */
export type PatchTarget =
  | {
      /** A whole extension, path = its URN: its attributes are the value's keys. */
      readonly kind: 'extension';
      readonly schema: SchemaDefinition;
      readonly pathText: string;
    }
  | {
      readonly kind: 'attribute';
      /** The attribute and, for `name.givenName` or `emails[...].value`, the sub-attribute. */
      readonly resolved: ResolvedAttribute;
      /** For a value path: which elements of the multi-valued attribute the operation applies to. */
      readonly selectsElement?: (element: JsonObject) => boolean;
      /**
       * For a value path whose filter is a conjunction of `eq` comparisons (`type eq "work"`): those sub-attribute
       * values, from which add and replace create the element when none matches (ENTRA.md).
       */
      readonly newElementTemplate?: JsonObject;
      readonly pathText: string;
    };

export interface TargetContext {
  readonly registry: SchemaRegistry;
  readonly resourceType: ResourceTypeName;
  readonly unknownAttributes: UnknownAttributePolicy;
}

/**
 * Resolves a PATCH path, or a key of a path-less value (`name.givenName`, a URN-qualified attribute, an
 * extension URN). Unknown attributes are invalidPath, or undefined (skip the operation) when ignored by policy.
 */
export function resolvePatchTarget(pathText: string, context: TargetContext): PatchTarget | undefined {
  const { registry, resourceType } = context;
  const extension = registry.findExtension(resourceType, pathText.trim());
  if (extension) return { kind: 'extension', schema: extension, pathText };

  const { attribute: path, valueFilter } = parsePatchPath(pathText);
  const resolved = registry.findAttribute(resourceType, path);
  if (!resolved) {
    if (context.unknownAttributes === 'ignore') return undefined;
    throw new InvalidPathError(`'${pathText}' names no attribute of ${resourceType}`);
  }
  if (valueFilter === undefined) return { kind: 'attribute', resolved, pathText };

  const { subAttribute: _subAttribute, ...attributePath } = path;
  const attributeOnly = registry.findAttribute(resourceType, attributePath)!;
  if (attributeOnly.attribute.type !== 'complex' || !attributeOnly.attribute.multiValued) {
    throw new InvalidPathError(
      `'${pathText}': a value filter needs a multi-valued complex attribute, and '${formatPath(attributePath)}' is not one`,
    );
  }
  try {
    const selectsElement = compileElementFilter(valueFilter, attributeOnly, registry, resourceType);
    const newElementTemplate = equalityTemplate(valueFilter);
    return { kind: 'attribute', resolved, selectsElement, ...(newElementTemplate ? { newElementTemplate } : {}), pathText };
  } catch (error) {
    if (error instanceof InvalidFilterError) throw new InvalidPathError(`'${pathText}': ${error.detail}`);
    throw error;
  }
}

/** An extension attribute named by a key of the value given for a whole extension. */
export function resolveExtensionAttributeTarget(
  schema: SchemaDefinition,
  name: string,
  context: TargetContext,
): PatchTarget | undefined {
  const resolved = context.registry.findAttribute(context.resourceType, { uri: schema.id, attribute: name });
  if (resolved) return { kind: 'attribute', resolved, pathText: `${schema.id}:${resolved.attribute.name}` };
  if (context.unknownAttributes === 'ignore') return undefined;
  throw new InvalidSyntaxError(`unknown attribute '${schema.id}:${name}'`);
}

/** `type eq "work" and primary eq true` → { type: "work", primary: true }; undefined for any other shape. */
function equalityTemplate(filter: Filter): JsonObject | undefined {
  if (filter.kind === 'compare') {
    if (filter.op !== 'eq' || filter.value === null) return undefined;
    return { [filter.path.attribute]: filter.value };
  }
  if (filter.kind !== 'and') return undefined;
  const left = equalityTemplate(filter.left);
  const right = equalityTemplate(filter.right);
  if (!left || !right) return undefined;
  const conflicting = Object.keys(right).some((key) => Object.hasOwn(left, key) && left[key] !== right[key]);
  return conflicting ? undefined : { ...left, ...right };
}
