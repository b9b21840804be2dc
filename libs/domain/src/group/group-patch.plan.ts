import type { Filter } from '#scim/filter/filter.ast.js';
import { parsePatchPath } from '#scim/patch/patch-path.parser.js';
import { patchOperationName, type PatchOperation } from '#scim/patch/patch.operation.js';
import { GROUP_SCHEMA_ID } from '#scim/schema/group.schema.js';
import { sameUrn } from '#scim/schema/schema.registry.js';
import { InvalidPathError, InvalidValueError } from '#scim/scim-error.js';
import { setOwn } from '#scim/resource/json-value.js';
import type { GroupMember } from './group.events.js';

/** One step of a group PATCH, in request order: attribute operations go to the PATCH engine, member ones become deltas. */
export type MemberChange =
  | { readonly kind: 'attributes'; readonly operations: readonly PatchOperation[] }
  | { readonly kind: 'add'; readonly members: readonly GroupMember[] }
  | { readonly kind: 'remove'; readonly memberIds: readonly string[] }
  | { readonly kind: 'replace'; readonly members: readonly GroupMember[] }
  | { readonly kind: 'removeAll' };

export interface GroupPatchPlan {
  readonly steps: readonly MemberChange[];
}

/**
 * Splits a group PATCH (RFC 7644 §3.5.2) so membership never goes through a whole-list rewrite: a group of
 * 100,000 members takes one member at the cost of one. Every form Entra sends (ENTRA.md) is understood:
 *  - `{"op":"Add","path":"members","value":[{"value":"<id>"}]}` and the path-less `{"op":"add","value":{"members":[...]}}`;
 *  - removal by value array `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}` and by filter
 *    `{"op":"remove","path":"members[value eq \"<id>\"]"}` (several ids may be joined with `or`);
 *  - `remove` of `members` without value removes every member (RFC 7644 §3.5.2.2); `replace` sets the list.
 * A removal item without a `value` selects nothing, so a malformed request can never remove everyone.
 */
export function planGroupPatch(operations: readonly PatchOperation[]): GroupPatchPlan {
  // A command's operations are planned once, however often its members are resolved and it is decided.
  const known = plans.get(operations);
  if (known) return known;
  const plan = planSteps(operations);
  plans.set(operations, plan);
  return plan;
}

const plans = new WeakMap<readonly PatchOperation[], GroupPatchPlan>();

function planSteps(operations: readonly PatchOperation[]): GroupPatchPlan {
  const steps: MemberChange[] = [];
  operations.forEach((operation, index) => {
    const op = patchOperationName(operation.op);
    const where = `Operations[${index}]`;
    if (operation.path === undefined || operation.path === null || operation.path === '') {
      planPathless(op, operation, where, steps);
      return;
    }
    const path = parsePatchPath(operation.path);
    if (!isMembers(path.attribute)) {
      steps.push({ kind: 'attributes', operations: [operation] });
      return;
    }
    if (path.attribute.subAttribute !== undefined) {
      throw new InvalidPathError(`${where}: members.${path.attribute.subAttribute} cannot be patched; add or remove members by value`);
    }
    if (path.valueFilter !== undefined) {
      if (op !== 'remove') throw new InvalidPathError(`${where}: a members filter is only supported with remove`);
      steps.push({ kind: 'remove', memberIds: memberIdsSelectedBy(path.valueFilter, where) });
      return;
    }
    if (op === 'remove') {
      if (operation.value === undefined || operation.value === null) steps.push({ kind: 'removeAll' });
      else steps.push({ kind: 'remove', memberIds: removalIds(operation.value, where) });
      return;
    }
    steps.push({ kind: op, members: parseMembers(operation.value, `${where}.value`) });
  });
  return { steps };
}

function planPathless(op: 'add' | 'remove' | 'replace', operation: PatchOperation, where: string, steps: MemberChange[]): void {
  if (op === 'remove') {
    steps.push({ kind: 'attributes', operations: [operation] }); // the engine answers noTarget (RFC 7644 §3.5.2.2)
    return;
  }
  const value = operation.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    steps.push({ kind: 'attributes', operations: [operation] }); // the engine explains what is wrong
    return;
  }
  const rest: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isMembersKey(key)) {
      steps.push({ kind: op, members: parseMembers(item, `${where}.value.${key}`) });
    } else {
      // Okta's `{"id", "displayName"}` keeps its `id` here: the engine ignores readOnly members of a value.
      setOwn(rest, key, item); // `__proto__` from client JSON stays a key (the engine refuses it), never a prototype
    }
  }
  if (Object.keys(rest).length > 0) steps.push({ kind: 'attributes', operations: [{ ...operation, value: rest }] });
}

/** `members` or `urn:ietf:params:scim:schemas:core:2.0:Group:members`, in any case, as a key of a resource or value. */
export function isMembersKey(key: string): boolean {
  const lower = key.toLowerCase();
  return lower === 'members' || lower === `${GROUP_SCHEMA_ID.toLowerCase()}:members`;
}

function isMembers(path: { uri?: string; attribute: string }): boolean {
  return path.attribute.toLowerCase() === 'members' && (path.uri === undefined || sameUrn(path.uri, GROUP_SCHEMA_ID));
}

/**
 * Members as they arrive: an array of `{ value, type?, display?, $ref? }` (a single object is accepted too), or
 * bare ids (see memberObjectOf).
 */
export function parseMembers(value: unknown, where: string): GroupMember[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((given, index) => {
    const item = memberObjectOf(given);
    if (typeof item !== 'object' || item === null) {
      throw new InvalidValueError(`${where}[${index}] must be an object with a "value" (the member's id), or the id as a string`);
    }
    const record = item as Record<string, unknown>;
    const key = (name: string) => Object.keys(record).find((k) => k.toLowerCase() === name);
    const id = record[key('value') ?? 'value'];
    if (typeof id !== 'string' || id.trim() === '') throw new InvalidValueError(`${where}[${index}].value must be the member's id (a non-empty string)`);
    const type = record[key('type') ?? 'type'];
    const display = record[key('display') ?? 'display'];
    let canonicalType: GroupMember['type'];
    if (type !== undefined && type !== null) {
      if (typeof type !== 'string' || !['user', 'group'].includes(type.toLowerCase())) {
        throw new InvalidValueError(`${where}[${index}].type must be "User" or "Group" (RFC 7643 §4.2)`);
      }
      canonicalType = type.toLowerCase() === 'user' ? 'User' : 'Group';
    }
    return {
      value: id,
      ...(canonicalType ? { type: canonicalType } : {}),
      ...(typeof display === 'string' ? { display } : {}),
    };
  });
}

/**
 * A member given as its bare id (`"members": ["<id>"]`, or `"value": "<id>"` in a PATCH: Microsoft's SCIM
 * reference collection, AzureAD/SCIMReferenceCode PostmanCollection.json, sends both) is read as `{ "value": "<id>" }`.
 * RFC 7643 §4.2 defines members as complex; what the gateway writes stays so.
 */
export function memberObjectOf(item: unknown): unknown {
  return typeof item === 'string' ? { value: item } : item;
}

function removalIds(value: unknown, where: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((given) => {
    const item = memberObjectOf(given);
    if (typeof item !== 'object' || item === null) throw new InvalidValueError(`${where}.value must be an array of { "value": "<member id>" } (or of ids)`);
    const id = Object.entries(item as Record<string, unknown>).find(([k]) => k.toLowerCase() === 'value')?.[1];
    return typeof id === 'string' && id !== '' ? [id] : [];
  });
}

/** `members[value eq "a" or value eq "b"]` → ["a", "b"]; other member filters are refused, not guessed at. */
function memberIdsSelectedBy(filter: Filter, where: string): string[] {
  if (filter.kind === 'or') return [...memberIdsSelectedBy(filter.left, where), ...memberIdsSelectedBy(filter.right, where)];
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.attribute.toLowerCase() === 'value' && filter.path.subAttribute === undefined && typeof filter.value === 'string') {
    return [filter.value];
  }
  throw new InvalidPathError(`${where}: members can be selected only by value, as members[value eq "<id>"] (several joined with or)`);
}
