import { isPlainObject } from '../resource/json-value.js';

const PREFIX = 'bulkid:';

/**
 * RFC 7644 §3.7.2: inside a BulkRequest, `"bulkId:<id>"` (in a path or anywhere in data, e.g. a group member's
 * `value`) stands for the id of the resource another operation of the same request created.
 */
export function bulkIdReferencesIn(value: unknown): string[] {
  if (typeof value === 'string') return value.toLowerCase().startsWith(PREFIX) ? [value.slice(PREFIX.length)] : [];
  if (Array.isArray(value)) return value.flatMap(bulkIdReferencesIn);
  if (isPlainObject(value)) return Object.values(value).flatMap(bulkIdReferencesIn);
  return [];
}

/** Replaces every `bulkId:<id>` by the created resource's id; `created` must hold them all (see bulkIdReferencesIn). */
export function resolveBulkIdReferences<Value>(value: Value, created: ReadonlyMap<string, string>): Value {
  return resolve(value, created) as Value;
}

function resolve(value: unknown, created: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    if (!value.toLowerCase().startsWith(PREFIX)) return value;
    const id = created.get(value.slice(PREFIX.length));
    if (id === undefined) throw new Error(`unresolved ${value}: check bulkIdReferencesIn first`);
    return id;
  }
  if (Array.isArray(value)) return value.map((item) => resolve(item, created));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, created)]));
  return value;
}

/** `/Users/bulkId:qwerty` inside a path: the same reference, in the path's last segment. */
export function bulkIdReferencesInPath(path: string): string[] {
  return path.split('/').flatMap((segment) => bulkIdReferencesIn(segment));
}

export function resolveBulkIdReferencesInPath(path: string, created: ReadonlyMap<string, string>): string {
  return path
    .split('/')
    .map((segment) => resolveBulkIdReferences(segment, created))
    .join('/');
}
