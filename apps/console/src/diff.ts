/**
 * What changed between two states of a SCIM resource, as a person reads it: attribute paths added, removed or
 * changed, with the old and new values. Pure (no DOM): the page draws each change as text, so a value that looks
 * like markup stays a value.
 *
 * Paths use SCIM's own attribute notation (RFC 7644 §3.10): `name.givenName`, an extension's attributes after its
 * URN and a colon (`urn:…:enterprise:2.0:User:manager.value`), and an item of a multi-valued attribute by a value
 * filter (`emails[value eq "ann@contoso.com"].primary`, `members[value eq "2819c223-…"]`).
 */

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface Change {
  readonly kind: ChangeKind;
  /** The attribute path; '' for the value as a whole. */
  readonly path: string;
  /** The value before (absent for `added`). */
  readonly before?: unknown;
  /** The value after (absent for `removed`). */
  readonly after?: unknown;
}

export interface Diff {
  /** The first `limit` changes, in attribute order. */
  readonly changes: readonly Change[];
  /** How many changes there are in all: more than `changes.length` when the list was cut. */
  readonly total: number;
}

/** Changes kept per diff by default: a 100,000-member replace stays drawable; the total still counts them all. */
export const DEFAULT_CHANGE_LIMIT = 500;

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys: two values are equal when their canonical texts are. */
export function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The changes that turn `before` into `after` (either may be undefined: nothing there). */
export function diff(before: unknown, after: unknown, limit = DEFAULT_CHANGE_LIMIT): Diff {
  const changes: Change[] = [];
  let total = 0;
  const emit = (change: Change) => {
    total += 1;
    if (changes.length < limit) changes.push(change);
  };
  walk('', before, after, emit, false);
  return { changes, total };
}

/** `extension`: `path` is an extension's URN, whose attributes follow a colon. */
function walk(path: string, before: unknown, after: unknown, emit: (change: Change) => void, extension: boolean): void {
  if (before === undefined && after === undefined) return;
  const objects = (before === undefined || isPlainObject(before)) && (after === undefined || isPlainObject(after));
  if (objects) {
    const a = (before ?? {}) as Plain;
    const b = (after ?? {}) as Plain;
    const keys = [...Object.keys(a), ...Object.keys(b).filter((key) => !Object.hasOwn(a, key))];
    for (const key of keys) {
      const child = path === '' ? key : `${path}${extension ? ':' : '.'}${key}`;
      walk(child, a[key], b[key], emit, path === '' && /^urn:/i.test(key));
    }
    return;
  }
  const arrays = (before === undefined || Array.isArray(before)) && (after === undefined || Array.isArray(after));
  if (arrays) {
    diffItems(path, (before ?? []) as readonly unknown[], (after ?? []) as readonly unknown[], emit);
    return;
  }
  if (before === undefined) emit({ kind: 'added', path, after });
  else if (after === undefined) emit({ kind: 'removed', path, before });
  else if (canonical(before) !== canonical(after)) emit({ kind: 'changed', path, before, after });
}

/**
 * A multi-valued attribute. Items are matched by `value` (emails, members, groups, roles) or, failing that, by
 * `type` (addresses), when that key is a scalar unique on each side: a matched item's own changes are listed
 * under `path[value eq "…"]`. Otherwise items are compared whole: those on one side only are removed or added.
 */
function diffItems(path: string, before: readonly unknown[], after: readonly unknown[], emit: (change: Change) => void): void {
  const key = matchingKey(before, after);
  if (key !== null) {
    const byKey = (items: readonly unknown[]) => new Map(items.map((item) => [(item as Plain)[key] as string | number | boolean, item as Plain]));
    const a = byKey(before);
    const b = byKey(after);
    for (const [value, item] of a) {
      const itemPath = `${path}[${key} eq ${JSON.stringify(value)}]`;
      const other = b.get(value);
      if (other === undefined) emit({ kind: 'removed', path: itemPath, before: item });
      else walk(itemPath, item, other, emit, false);
    }
    for (const [value, item] of b) if (!a.has(value)) emit({ kind: 'added', path: `${path}[${key} eq ${JSON.stringify(value)}]`, after: item });
    return;
  }
  // Whole items, as a multiset: an item on both sides (as often as on each) is unchanged.
  const remaining = new Map<string, number>();
  for (const item of after) remaining.set(canonical(item), (remaining.get(canonical(item)) ?? 0) + 1);
  const removed: unknown[] = [];
  for (const item of before) {
    const text = canonical(item);
    const count = remaining.get(text) ?? 0;
    if (count > 0) remaining.set(text, count - 1);
    else removed.push(item);
  }
  for (const item of removed) emit({ kind: 'removed', path, before: item });
  for (const item of after) {
    const text = canonical(item);
    const count = remaining.get(text) ?? 0;
    if (count > 0) {
      remaining.set(text, count - 1);
      emit({ kind: 'added', path, after: item });
    }
  }
}

function matchingKey(before: readonly unknown[], after: readonly unknown[]): 'value' | 'type' | null {
  for (const key of ['value', 'type'] as const) {
    const usable = (items: readonly unknown[]) => {
      const seen = new Set<unknown>();
      for (const item of items) {
        if (!isPlainObject(item)) return false;
        const value = item[key];
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
        if (seen.has(value)) return false;
        seen.add(value);
      }
      return true;
    };
    if (before.length + after.length > 0 && usable(before) && usable(after)) return key;
  }
  return null;
}

/** A value as text: strings quoted (so "" and "false" read apart from empty and false), others as JSON, long ones cut. */
export function describeValue(value: unknown, maxLength = 300): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/** One change in a sentence: `active: true → false`, `displayName added: "Ann"`, `emails[…] removed: {…}`. */
export function describeChange(change: Change): string {
  const path = change.path === '' ? '(the value)' : change.path;
  switch (change.kind) {
    case 'added':
      return `${path} added: ${describeValue(change.after)}`;
    case 'removed':
      return `${path} removed (was ${describeValue(change.before)})`;
    case 'changed':
      return `${path}: ${describeValue(change.before)} → ${describeValue(change.after)}`;
  }
}
