import type { ResolvedAttribute } from '../schema/schema.registry.js';
import { isPlainObject, type JsonObject } from './json-value.js';

/**
 * Reading attributes out of resource JSON the way SCIM names them: case-insensitively (RFC 7643 §2.1), with
 * extension attributes under their schema URN (RFC 7643 §3.3).
 */


/** The key of `object` equal to `name` ignoring case; the exact key wins when several differ only in case. */
export function findKey(object: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const wanted = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === wanted);
}

export function getIgnoringCase(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/** A multi-valued attribute's elements; a lone value counts as one element, absence as none. */
export function elementsOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The object holding a resolved attribute: the resource itself, or its extension object (absent: undefined). */
export function containerOf(resource: JsonObject, resolved: ResolvedAttribute): JsonObject | undefined {
  if (!resolved.inExtension) return resource;
  const extension = getIgnoringCase(resource, resolved.schemaId);
  return isPlainObject(extension) ? extension : undefined;
}

/** The value of the resolved top-level attribute (not descending into `subAttribute`). */
export function readAttribute(resource: JsonObject, resolved: ResolvedAttribute): unknown {
  const container = containerOf(resource, resolved);
  return container === undefined ? undefined : getIgnoringCase(container, resolved.attribute.name);
}

/**
 * Whether a value counts as present (RFC 7644 §3.4.2.2 `pr`: "If the attribute is empty, then it is not present"):
 * not null, not an empty string, not an array without present elements, not an object without present attributes.
 */
export function isPresentValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresentValue);
  if (isPlainObject(value)) return Object.values(value).some(isPresentValue);
  return true;
}
