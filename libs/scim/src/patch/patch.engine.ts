import { containerOf, elementsOf, findKey, getIgnoringCase, isPresentValue } from '../resource/attribute-access.js';
import { normaliseAttributeValue, type UnknownAttributePolicy } from '../resource/attribute-value.normaliser.js';
import { cloneJson, isPlainObject, jsonEqual, setOwn, type JsonObject } from '../resource/json-value.js';
import { diffResources, type AttributeChange } from '../resource/resource.diff.js';
import { assertResourceInvariants } from '../resource/resource.invariants.js';
import { schemasPresentIn, type ScimResource } from '../resource/resource.normaliser.js';
import { findSubAttribute, type AttributeDefinition } from '../schema/attribute-definition.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidValueError, MutabilityError, NoTargetError } from '../scim-error.js';
import { patchOperationName, type PatchOperation, type PatchOperationName } from './patch.operation.js';
import { resolveExtensionAttributeTarget, resolvePatchTarget, type PatchTarget, type TargetContext } from './patch.target.js';

export interface PatchOptions {
  /** Attributes no schema defines: invalidPath / invalidSyntax by default, or skipped. */
  readonly unknownAttributes?: UnknownAttributePolicy;
}

export interface PatchResult {
  readonly resource: ScimResource;
  /** What changed, attribute by attribute (resource.diff.ts); empty when the PATCH changed nothing. */
  readonly changes: AttributeChange[];
}

type AttributeTarget = Extract<PatchTarget, { kind: 'attribute' }>;

/**
 * Applies a PatchOp's operations (RFC 7644 §3.5.2) in order to a stored resource, atomically: the input is never
 * modified and any error leaves nothing applied. Then removes emptied values (RFC 7643 §2.5), recomputes
 * `schemas`, and checks the invariants of resource.invariants.ts (a removed userName is invalidValue).
 *
 * Operation semantics, RFC 7644 §3.5.2.1-3 unless said otherwise:
 *  - add: sets a single-valued attribute; merges the sub-attributes of a complex one; appends to a multi-valued
 *    one, where an element with the same `value` (and `type`, when both have one) is the same element and gets
 *    the new sub-attributes merged in, and an element without `value` already present is not added twice.
 *  - replace: sets a single-valued attribute; merges a complex one, except that a new `value` replaces the whole
 *    complex value (a new manager must not keep the old manager's `$ref`); replaces all elements of a
 *    multi-valued one; with a value filter replaces the matching elements whole, or their sub-attribute.
 *    A value of null removes the target (RFC 7643 §2.5).
 *  - remove: needs a path (noTarget otherwise); removes the attribute, the sub-attribute, or the elements a value
 *    filter selects (none selected is not an error: the state asked for holds). With a `value` on a multi-valued
 *    attribute (Entra's member removal) it removes the elements matching any given value, where every
 *    sub-attribute given must be equal; a given value with no sub-attribute matches nothing, so a malformed
 *    request can never remove everyone.
 *  - Without a path, add and replace apply each key of the value object as a path: attribute names, dotted
 *    `name.givenName`, URN-qualified attributes and extension URNs (Entra's aadOptscim062020 form).
 *  - A value object that stands for attributes of the resource (the value of a path-less operation, or of a
 *    path naming an extension's URN, which scim2-tester sends) is read like a PUT body (RFC 7644 §3.5.1):
 *    `schemas` is ignored, and so are readOnly attributes (RFC 7643 §2.2 "any values provided SHALL be
 *    ignored"): clients echo resources (Authentik sends the group's `id` in a path-less replace, Okta sends
 *    `{"id","displayName"}`). An explicit `path` to a readOnly attribute stays a mutability error, as
 *    RFC 7644 §3.5.2 requires ("a client MUST NOT modify an attribute that has mutability readOnly").
 *  - A value filter that selects nothing: add and replace create the element from the filter's `eq`
 *    comparisons when the filter is only that (ENTRA.md: `emails[type eq "work"].value` creates the work email);
 *    otherwise noTarget.
 *  - A sub-attribute path on a multi-valued attribute without filter (`emails.type`) applies to every element.
 *  - Mutability: readOnly attributes (id, meta, groups, manager.displayName) cannot be targeted by a path; an immutable
 *    attribute can be set while it has no value and never changed or removed after (RFC 7643 §2.2).
 *  - Setting `primary: true` on one element sets it to false on the others (RFC 7644 §3.5.2); two primaries
 *    in one operation's value are invalidValue.
 *  - Values are normalised like POST bodies (attribute-value.normaliser.ts): string booleans, numeric strings,
 *    Entra's bare-string or one-element-array manager, nulls dropped.
 */
export function applyPatch(
  resource: ScimResource,
  operations: readonly PatchOperation[],
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  options: PatchOptions = {},
): PatchResult {
  const context: TargetContext = { registry, resourceType, unknownAttributes: options.unknownAttributes ?? 'reject' };
  const working = cloneJson(resource);
  for (const operation of operations) applyOperation(working, operation, context);

  const { schemas: _previousSchemas, ...patched } = withoutEmptyValues(working);
  const result: ScimResource = { schemas: schemasPresentIn(patched, registry, resourceType), ...patched };
  assertResourceInvariants(result, registry, resourceType);
  return { resource: result, changes: diffResources(resource, result) };
}

function applyOperation(working: JsonObject, operation: PatchOperation, context: TargetContext): void {
  const op = patchOperationName(operation.op);
  const path = typeof operation.path === 'string' && operation.path.trim() !== '' ? operation.path : undefined;
  const { value } = operation;

  if (op === 'remove') {
    if (path === undefined) throw new NoTargetError('a remove operation needs a "path" (RFC 7644 §3.5.2.2)');
    const target = resolvePatchTarget(path, context);
    if (target) removeAt(working, target, value, context);
    return;
  }
  if (value === undefined) throw new InvalidValueError(`${articled(op)} operation needs a "value" (RFC 7644 §3.5.2)`);
  if (path !== undefined) {
    const target = resolvePatchTarget(path, context);
    if (target) writeAt(working, op, target, value, context);
    return;
  }
  // RFC 7644 §3.5.2.1 / §3.5.2.3: without a path the value holds the attributes to add or replace.
  if (!isPlainObject(value)) {
    throw new InvalidValueError(`${articled(op)} operation without "path" needs an object of attributes as its "value"`);
  }
  for (const [key, attributeValue] of Object.entries(value)) {
    if (key.toLowerCase() === 'schemas') continue;
    const target = resolvePatchTarget(key, context);
    if (target && !isServerManaged(target)) writeAt(working, op, target, attributeValue, context);
  }
}

function writeAt(
  working: JsonObject,
  op: Exclude<PatchOperationName, 'remove'>,
  target: PatchTarget,
  value: unknown,
  context: TargetContext,
): void {
  if (target.kind === 'extension') {
    if (value === null) {
      if (op === 'replace') removeAt(working, target, undefined, context);
      return;
    }
    if (!isPlainObject(value)) throw new InvalidValueError(`'${target.schema.id}' takes an object of ${target.schema.name} attributes`);
    for (const [name, attributeValue] of Object.entries(value)) {
      if (name.toLowerCase() === 'schemas') continue;
      const attributeTarget = resolveExtensionAttributeTarget(target.schema, name, context);
      if (attributeTarget && !isServerManaged(attributeTarget)) writeAt(working, op, attributeTarget, attributeValue, context);
    }
    return;
  }
  assertNotReadOnly(target);
  if (value === null) {
    // RFC 7643 §2.5: null means unassigned; adding nothing changes nothing.
    if (op === 'replace') removeAt(working, target, undefined, context);
    return;
  }
  if (op === 'add') addAttribute(working, target, value, context);
  else replaceAttribute(working, target, value, context);
}

function addAttribute(working: JsonObject, target: AttributeTarget, value: unknown, context: TargetContext): void {
  const { attribute, subAttribute } = target.resolved;
  if (target.selectsElement) return writeSelectedElements(working, target, value, 'merge', context);
  if (subAttribute) return writeSubAttributeOfEveryElement(working, target, value, context);
  const container = containerFor(working, target.resolved, true)!;
  const normalised = normalise(attribute, value, target.pathText, context);
  if (attribute.multiValued) return appendElements(container, attribute, normalised, target.pathText);
  if (attribute.type === 'complex') return mergeComplex(container, attribute, normalised, target.pathText);
  setChecked(container, attribute, normalised, target.pathText);
}

function replaceAttribute(working: JsonObject, target: AttributeTarget, value: unknown, context: TargetContext): void {
  const { attribute, subAttribute } = target.resolved;
  if (target.selectsElement) return writeSelectedElements(working, target, value, subAttribute ? 'merge' : 'replace', context);
  if (subAttribute) return writeSubAttributeOfEveryElement(working, target, value, context);
  const container = containerFor(working, target.resolved, true)!;
  const normalised = normalise(attribute, value, target.pathText, context);
  if (attribute.multiValued) {
    const elements = elementsOf(normalised);
    assertAtMostOnePrimary(elements, target.pathText);
    return setChecked(container, attribute, elements.length > 0 ? elements : undefined, target.pathText);
  }
  if (attribute.type === 'complex') {
    const current = getIgnoringCase(container, attribute.name);
    const identityChanges =
      isPlainObject(current) &&
      isPlainObject(normalised) &&
      normalised.value !== undefined &&
      isPresentValue(current.value) &&
      !jsonEqual(current.value, normalised.value);
    if (!identityChanges) return mergeComplex(container, attribute, normalised, target.pathText);
  }
  setChecked(container, attribute, normalised, target.pathText);
}

function removeAt(working: JsonObject, target: PatchTarget, value: unknown, context: TargetContext): void {
  if (target.kind === 'extension') {
    const key = findKey(working, target.schema.id);
    const extension = key === undefined ? undefined : working[key];
    if (!isPlainObject(extension)) return;
    // Server-managed (readOnly) attributes stay; the emptied extension object is dropped at the end.
    for (const attribute of target.schema.attributes) {
      if (attribute.mutability !== 'readOnly') removeChecked(extension, attribute, `${target.schema.id}:${attribute.name}`);
    }
    return;
  }
  assertNotReadOnly(target);
  const { attribute, subAttribute } = target.resolved;
  const container = containerFor(working, target.resolved, false);
  if (!container) return;
  const elements = elementsOf(getIgnoringCase(container, attribute.name));

  if (target.selectsElement) {
    const selected = elements.filter((element) => isPlainObject(element) && target.selectsElement!(element)) as JsonObject[];
    if (subAttribute) {
      for (const element of selected) removeChecked(element, subAttribute, target.pathText);
      return;
    }
    assertElementsRemovable(attribute, selected, target.pathText);
    return writeRaw(container, attribute.name, elements.filter((element) => !selected.includes(element as JsonObject)));
  }
  if (subAttribute) {
    for (const element of elements) if (isPlainObject(element)) removeChecked(element, subAttribute, target.pathText);
    return;
  }
  if (value !== undefined && value !== null) {
    // ENTRA.md: `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}` removes the listed members only.
    const given = elementsOf(normalise(attribute, value, target.pathText, context));
    const removed = elements.filter((element) => given.some((item) => matchesGivenValue(attribute, element, item)));
    assertElementsRemovable(attribute, removed, target.pathText);
    const remaining = elements.filter((element) => !removed.includes(element));
    return writeRaw(container, attribute.name, attribute.multiValued ? remaining : remaining[0]);
  }
  removeChecked(container, attribute, target.pathText);
}

/** Value-path writes: merge into (add, or a sub-attribute) or replace (replace without sub-attribute) each selected element. */
function writeSelectedElements(
  working: JsonObject,
  target: AttributeTarget,
  value: unknown,
  mode: 'merge' | 'replace',
  context: TargetContext,
): void {
  const { attribute, subAttribute } = target.resolved;
  const container = containerFor(working, target.resolved, true)!;
  const elements = elementsOf(getIgnoringCase(container, attribute.name));
  const selected = elements.filter((element) => isPlainObject(element) && target.selectsElement!(element)) as JsonObject[];

  const update: unknown = subAttribute ? { [subAttribute.name]: value } : value;
  if (!isPlainObject(update)) {
    throw new InvalidValueError(
      `'${target.pathText}' selects elements of '${attribute.name}': the value must be an object of its sub-attributes`,
    );
  }
  if (selected.length === 0) {
    if (!target.newElementTemplate) {
      throw new NoTargetError(`no value of '${attribute.name}' matches the filter of '${target.pathText}' (RFC 7644 §3.5.2)`);
    }
    const created = normaliseElement(attribute, { ...target.newElementTemplate, ...update }, target.pathText, context);
    return appendElements(container, attribute, [created], target.pathText);
  }
  const normalisedUpdate = normaliseElement(attribute, update, target.pathText, context);
  for (const element of selected) {
    if (mode === 'replace') {
      assertImmutableSubAttributesKept(attribute, element, normalisedUpdate, target.pathText);
      for (const key of Object.keys(element)) delete element[key];
      Object.assign(element, cloneJson(normalisedUpdate));
    } else {
      mergeComplex(element, attribute, normalisedUpdate, target.pathText, false);
    }
    if (element.primary === true) demoteOtherPrimaries(elements, element);
  }
  writeRaw(container, attribute.name, elements);
}

/** `name.givenName` on a singular complex attribute; `emails.type` on every element of a multi-valued one. */
function writeSubAttributeOfEveryElement(working: JsonObject, target: AttributeTarget, value: unknown, context: TargetContext): void {
  const { attribute } = target.resolved;
  const subAttribute = target.resolved.subAttribute!;
  const container = containerFor(working, target.resolved, true)!;
  const normalised = normaliseAttributeValue(subAttribute, value, target.pathText, context);
  const current = getIgnoringCase(container, attribute.name);
  if (!attribute.multiValued) {
    const object = isPlainObject(current) ? current : {};
    setChecked(object, subAttribute, normalised, target.pathText);
    return writeRaw(container, attribute.name, object);
  }
  const elements = elementsOf(current).filter(isPlainObject);
  if (elements.length === 0) return appendElements(container, attribute, [{ [subAttribute.name]: normalised }], target.pathText);
  for (const element of elements) setChecked(element, subAttribute, normalised, target.pathText);
  assertAtMostOnePrimary(elements, target.pathText);
  writeRaw(container, attribute.name, elements);
}

/**
 * RFC 7644 §3.5.2.1: "If the target location specifies a multi-valued attribute, a new value is added", and "If the
 * target location already contains the value specified, no changes SHOULD be made to the resource". So an add is
 * idempotent: an element already present (sameElement) is not added again, only its new sub-attributes merge, and a
 * repeated add changes nothing, not even `meta.lastModified`. Clients rely on it: JumpCloud repeats add operations
 * (Infisical/infisical#2138), and a retried request must not leave two equal emails behind.
 */
function appendElements(container: JsonObject, attribute: AttributeDefinition, newElements: unknown, pathText: string): void {
  const additions = elementsOf(newElements);
  assertAtMostOnePrimary(additions, pathText);
  const elements = elementsOf(getIgnoringCase(container, attribute.name));
  for (const addition of additions) {
    const existing = elements.find((element) => sameElement(attribute, element, addition));
    const element = existing ?? addition;
    if (existing === undefined) elements.push(addition);
    else if (isPlainObject(existing) && isPlainObject(addition)) {
      // The same element: its identity (`value`) stays as stored, its other sub-attributes are merged.
      const { value: _sameValue, ...otherSubAttributes } = addition;
      mergeComplex(existing, attribute, otherSubAttributes, pathText, false);
    }
    if (isPlainObject(element) && element.primary === true) demoteOtherPrimaries(elements, element);
  }
  writeRaw(container, attribute.name, elements);
}

/** RFC 7644 §3.5.2.3: sub-attributes given replace or add; those not given stay. */
function mergeComplex(container: JsonObject, attribute: AttributeDefinition, update: unknown, pathText: string, isNested = true): void {
  if (update === undefined) return;
  const target = isNested ? getIgnoringCase(container, attribute.name) : container;
  if (isNested && !isPlainObject(target)) return setChecked(container, attribute, update, pathText);
  for (const [name, subValue] of Object.entries(update as JsonObject)) {
    setChecked(target as JsonObject, findSubAttribute(attribute, name)!, subValue, `${pathText}.${name}`);
  }
}

function setChecked(container: JsonObject, definition: AttributeDefinition, value: unknown, pathText: string): void {
  const current = getIgnoringCase(container, definition.name);
  if (definition.mutability === 'immutable' && isPresentValue(current) && !jsonEqual(current, value)) {
    throw new MutabilityError(`attribute '${pathText}' is immutable and already has a value (RFC 7643 §2.2)`);
  }
  writeRaw(container, definition.name, value);
}

function removeChecked(container: JsonObject, definition: AttributeDefinition, pathText: string): void {
  if (definition.mutability === 'immutable' && isPresentValue(getIgnoringCase(container, definition.name))) {
    throw new MutabilityError(`attribute '${pathText}' is immutable and cannot be removed (RFC 7643 §2.2)`);
  }
  writeRaw(container, definition.name, undefined);
}

/** Writes under the schema's spelling of the name, dropping any other spelling; undefined removes. */
function writeRaw(container: JsonObject, name: string, value: unknown): void {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(container)) if (key.toLowerCase() === wanted) delete container[key];
  if (value !== undefined) setOwn(container, name, value);
}

/** The resource or the attribute's extension object, which `create` makes when absent. */
function containerFor(working: JsonObject, resolved: ResolvedAttribute, create: boolean): JsonObject | undefined {
  const existing = containerOf(working, resolved);
  if (existing || !create) return existing;
  const created: JsonObject = {};
  writeRaw(working, resolved.schemaId, created);
  return created;
}

function isReadOnly(resolved: ResolvedAttribute): boolean {
  return resolved.attribute.mutability === 'readOnly' || resolved.subAttribute?.mutability === 'readOnly';
}

/** A readOnly attribute named by a key of a value object: ignored, as in a PUT body (RFC 7644 §3.5.1). */
function isServerManaged(target: PatchTarget): boolean {
  return target.kind === 'attribute' && isReadOnly(target.resolved);
}

function assertNotReadOnly(target: AttributeTarget): void {
  if (isReadOnly(target.resolved)) {
    throw new MutabilityError(`attribute '${target.pathText}' is readOnly and cannot be modified (RFC 7643 §2.2)`);
  }
}

/** Replacing an element whole must not change its immutable sub-attributes (RFC 7643 §2.2, e.g. members.value). */
function assertImmutableSubAttributesKept(attribute: AttributeDefinition, element: JsonObject, replacement: JsonObject, pathText: string): void {
  for (const subAttribute of attribute.subAttributes ?? []) {
    if (subAttribute.mutability !== 'immutable') continue;
    const before = getIgnoringCase(element, subAttribute.name);
    if (isPresentValue(before) && !jsonEqual(before, getIgnoringCase(replacement, subAttribute.name))) {
      throw new MutabilityError(`attribute '${pathText}.${subAttribute.name}' is immutable and already has a value (RFC 7643 §2.2)`);
    }
  }
}

/** Removing a whole element is allowed unless the attribute itself is immutable. */
function assertElementsRemovable(attribute: AttributeDefinition, removed: readonly unknown[], pathText: string): void {
  if (attribute.mutability === 'immutable' && removed.length > 0) {
    throw new MutabilityError(`attribute '${pathText}' is immutable and cannot be removed (RFC 7643 §2.2)`);
  }
}

function assertAtMostOnePrimary(elements: readonly unknown[], pathText: string): void {
  if (elements.filter((element) => isPlainObject(element) && element.primary === true).length > 1) {
    throw new InvalidValueError(`at most one value of '${pathText}' may have primary set to true (RFC 7643 §2.4)`);
  }
}

/** RFC 7644 §3.5.2: setting primary on one value sets it to false on the others. */
function demoteOtherPrimaries(elements: readonly unknown[], primary: JsonObject): void {
  for (const element of elements) if (element !== primary && isPlainObject(element) && element.primary === true) element.primary = false;
}

/**
 * Same element for add. With a `value` on both sides (RFC 7643 §2.4: "the attribute's significant value"): equal
 * `value` (per caseExact) and compatible `type`. Otherwise every sub-attribute but `primary` is equal, so an address
 * sent again is the same address even after another one became primary. Simple values: equal per caseExact.
 */
function sameElement(attribute: AttributeDefinition, existing: unknown, candidate: unknown): boolean {
  if (attribute.type !== 'complex') return equalValues(attribute, existing, candidate);
  if (!isPlainObject(existing) || !isPlainObject(candidate)) return jsonEqual(existing, candidate);
  const valueDefinition = findSubAttribute(attribute, 'value');
  if (valueDefinition && existing.value !== undefined && candidate.value !== undefined) {
    const typeDefinition = findSubAttribute(attribute, 'type');
    const typesCompatible =
      existing.type === undefined ||
      candidate.type === undefined ||
      !typeDefinition ||
      equalValues(typeDefinition, existing.type, candidate.type);
    return equalValues(valueDefinition, existing.value, candidate.value) && typesCompatible;
  }
  return (attribute.subAttributes ?? [])
    .filter((subAttribute) => subAttribute.name !== 'primary')
    .every((subAttribute) => equalValues(subAttribute, getIgnoringCase(existing, subAttribute.name), getIgnoringCase(candidate, subAttribute.name)));
}

/** Remove-by-value: every sub-attribute of the given value is equal in the element; an empty given value matches nothing. */
function matchesGivenValue(attribute: AttributeDefinition, element: unknown, given: unknown): boolean {
  if (attribute.type !== 'complex') return equalValues(attribute, element, given);
  if (!isPlainObject(element) || !isPlainObject(given)) return false;
  const entries = Object.entries(given);
  return (
    entries.length > 0 &&
    entries.every(([name, value]) => {
      const subAttribute = findSubAttribute(attribute, name);
      return subAttribute !== undefined && equalValues(subAttribute, getIgnoringCase(element, name), value);
    })
  );
}

/** Equality as filters see it: strings ignore case unless caseExact (RFC 7643 §2.1). */
function equalValues(definition: AttributeDefinition, left: unknown, right: unknown): boolean {
  if (typeof left === 'string' && typeof right === 'string' && !definition.caseExact && definition.type !== 'binary') {
    return left.toLowerCase() === right.toLowerCase();
  }
  return jsonEqual(left, right);
}

function normalise(attribute: AttributeDefinition, value: unknown, pathText: string, context: TargetContext): unknown {
  return normaliseAttributeValue(attribute, value, pathText, { unknownAttributes: context.unknownAttributes, wrapSingleValue: true });
}

/** One element of a multi-valued complex attribute, normalised; an element with nothing in it is invalidValue. */
function normaliseElement(attribute: AttributeDefinition, element: JsonObject, pathText: string, context: TargetContext): JsonObject {
  const [normalised] = elementsOf(normalise(attribute, [element], pathText, context));
  if (!isPlainObject(normalised)) throw new InvalidValueError(`'${pathText}' needs a value`);
  return normalised;
}

/** RFC 7643 §2.5: null, [] and {} are unassigned; drops them (and emptied elements) everywhere. */
function withoutEmptyValues(resource: JsonObject): JsonObject {
  const prune = (value: unknown): unknown => {
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value)) {
      const elements = value.map(prune).filter((element) => element !== undefined);
      return elements.length === 0 ? undefined : elements;
    }
    if (isPlainObject(value)) {
      const result: JsonObject = {};
      for (const [key, entry] of Object.entries(value)) {
        const pruned = prune(entry);
        if (pruned !== undefined) setOwn(result, key, pruned);
      }
      return Object.keys(result).length === 0 ? undefined : result;
    }
    return value;
  };
  return (prune(resource) as JsonObject | undefined) ?? {};
}

function articled(op: PatchOperationName): string {
  return op === 'add' ? 'an add' : `a ${op}`;
}
