import { cloneJson, getOwn, isPlainObject, jsonEqual, setOwn, type JsonObject } from './json-value.js';

/**
 * One attribute-level change, as events record it. `path` is `[attribute]` for a top-level attribute, or
 * `[extensionUrn, attribute]` for an attribute of a schema extension (RFC 7643 §3.3). A missing `before` means
 * the attribute was added; a missing `after` means it was removed.
 */
export interface AttributeChange {
  path: string[];
  before?: unknown;
  after?: unknown;
}

/**
 * The changes that turn `before` into `after`: `applyChanges(before, diffResources(before, after))` equals `after`.
 *
 * Top-level keys are compared whole. A key containing ":" is a schema URN (RFC 7643 §2.1 attribute names cannot
 * contain one); when both sides hold a non-empty object under it, or one side holds one and the other nothing,
 * its attributes are compared one by one, so an event says `manager` changed rather than "the enterprise
 * extension" changed. Otherwise (an empty extension object, or not an object) the key is compared whole.
 * Order: keys as they appear in `after`, then keys only in `before`.
 */
export function diffResources(before: JsonObject, after: JsonObject): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const key of unionOfKeys(after, before)) {
    const beforeValue = getOwn(before, key);
    const afterValue = getOwn(after, key);
    if (jsonEqual(beforeValue, afterValue)) continue;
    if (key.includes(':') && isAttributeContainer(beforeValue) && isAttributeContainer(afterValue)) {
      const beforeAttributes = beforeValue ?? {};
      const afterAttributes = afterValue ?? {};
      for (const attribute of unionOfKeys(afterAttributes, beforeAttributes)) {
        const beforeAttribute = getOwn(beforeAttributes, attribute);
        const afterAttribute = getOwn(afterAttributes, attribute);
        if (jsonEqual(beforeAttribute, afterAttribute)) continue;
        changes.push(change([key, attribute], beforeAttribute, afterAttribute));
      }
    } else {
      changes.push(change([key], beforeValue, afterValue));
    }
  }
  return changes;
}

/**
 * Applies changes to a copy of `resource`: an `after` sets the value, no `after` removes it. An extension
 * object is created for its first attribute and removed with its last one.
 */
export function applyChanges(resource: JsonObject, changes: readonly AttributeChange[]): JsonObject {
  const result = cloneJson(resource);
  for (const { path, after } of changes) {
    const [key, attribute] = path;
    if (attribute === undefined) {
      if (after === undefined) delete result[key];
      else setOwn(result, key, cloneJson(after));
      continue;
    }
    const container = getOwn(result, key);
    if (after !== undefined) {
      if (isPlainObject(container)) setOwn(container, attribute, cloneJson(after));
      else setOwn(result, key, { [attribute]: cloneJson(after) });
    } else if (isPlainObject(container)) {
      delete container[attribute];
      if (Object.keys(container).length === 0) delete result[key];
    }
  }
  return result;
}

/** Absent, or an object with at least one attribute: the shapes whose attributes can be diffed one by one. */
function isAttributeContainer(value: unknown): value is JsonObject | undefined {
  return value === undefined || (isPlainObject(value) && Object.values(value).some((attribute) => attribute !== undefined));
}

/** Keys holding a value in either object, those of `first` first. */
function unionOfKeys(first: JsonObject, second: JsonObject): string[] {
  const keys = new Set<string>();
  for (const object of [first, second]) {
    for (const key of Object.keys(object)) if (object[key] !== undefined) keys.add(key);
  }
  return [...keys];
}

function change(path: string[], before: unknown, after: unknown): AttributeChange {
  return {
    path,
    ...(before !== undefined ? { before: cloneJson(before) } : {}),
    ...(after !== undefined ? { after: cloneJson(after) } : {}),
  };
}
