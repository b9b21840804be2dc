import { Set as PersistentSet } from 'immutable';
import { applyPatch } from '#scim/patch/patch.engine.js';
import type { UnknownAttributePolicy } from '#scim/resource/attribute-value.normaliser.js';
import type { PatchOperation } from '#scim/patch/patch.operation.js';
import { diffResources } from '#scim/resource/resource.diff.js';
import type { JsonObject } from '#scim/resource/json-value.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { NotFoundError, ScimError } from '#scim/scim-error.js';
import { assertNever, type Decider } from '../decider.js';
import type { ScimAttributes } from '../scim-resource.js';
import { decodeGroupEvent, type GroupEvent, type GroupMember } from './group.events.js';
import { planGroupPatch, type MemberChange } from './group-patch.plan.js';

/**
 * A group's state keeps its member ids in a persistent (structurally shared) set: adding one member to a
 * 100,000-member group is O(log n) in both `decide` and `evolve`, and folding a long stream never copies the
 * whole set per event, while the decider stays pure.
 */
export type GroupState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'present';
      readonly groupId: string;
      readonly attributes: ScimAttributes;
      readonly memberIds: PersistentSet<string>;
      readonly createdAt: string;
      readonly lastModifiedAt: string;
    }
  | { readonly status: 'deleted'; readonly groupId: string };

type PresentGroup = Extract<GroupState, { status: 'present' }>;

/**
 * What the command's shell found for each id the command may add as a member (`membersToResolve`): the kind of
 * resource it is. An id missing here is neither a User nor a Group of the tenant, and adding it is refused.
 */
export type KnownMembers = ReadonlyMap<string, 'User' | 'Group'>;

/**
 * What a command does with ids to add that name no User or Group of the tenant (a tenant setting): `reject`
 * refuses the whole command (400 invalidValue naming them, RFC 7644 §3.5.2); `skip` leaves them out and applies
 * the rest, because Okta treats a 400 as permanent and drops the whole push (fleetdm/fleet#52600). Absent on a
 * command: `reject`. Either way no id that names nothing is ever recorded as a member.
 */
export type UnknownMembersPolicy = 'skip' | 'reject';

export type GroupCommand =
  | {
      readonly type: 'CreateGroup';
      readonly groupId: string;
      /** Validated attributes without `members`. */
      readonly attributes: ScimAttributes;
      readonly members: readonly GroupMember[];
      readonly knownMembers: KnownMembers;
      readonly unknownMembers?: UnknownMembersPolicy;
      readonly at: string;
    }
  /** PUT (RFC 7644 §3.5.1): new attributes and the exact new member list. */
  | {
      readonly type: 'ReplaceGroup';
      readonly groupId: string;
      readonly attributes: ScimAttributes;
      readonly members: readonly GroupMember[];
      readonly knownMembers: KnownMembers;
      readonly unknownMembers?: UnknownMembersPolicy;
      readonly at: string;
    }
  | {
      readonly type: 'PatchGroup';
      readonly groupId: string;
      readonly operations: readonly PatchOperation[];
      readonly registry: SchemaRegistry;
      /** SCIM_UNKNOWN_ATTRIBUTES, as for POST and PUT: drop operations on attributes no schema defines, or refuse them. */
      readonly unknownAttributes: UnknownAttributePolicy;
      readonly knownMembers: KnownMembers;
      readonly unknownMembers?: UnknownMembersPolicy;
      readonly at: string;
    }
  /** A deleted user (or group) leaves every group it was in. */
  | { readonly type: 'RemoveDeletedMember'; readonly groupId: string; readonly memberId: string; readonly at: string }
  | { readonly type: 'DeleteGroup'; readonly groupId: string; readonly at: string };

export function displayNameOf(attributes: ScimAttributes): string {
  const displayName = attributes['displayName'];
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw new ScimError(400, 'invalidValue', 'displayName is required and must be a non-empty string (RFC 7643 §4.2)');
  }
  return displayName;
}

/** The attributes of a group that exists; none otherwise (a group that does not exist holds no unique key). */
export function attributesOfGroup(state: GroupState): ScimAttributes {
  return state.status === 'present' ? state.attributes : {};
}

export const groupDecider: Decider<GroupCommand, GroupEvent, GroupState> = {
  initialState: { status: 'absent' },
  decode: decodeGroupEvent,

  decide(command, state) {
    switch (command.type) {
      case 'CreateGroup': {
        if (state.status !== 'absent') throw new ScimError(409, 'uniqueness', `group ${command.groupId} already exists`);
        displayNameOf(command.attributes);
        const { groupId, attributes, at } = command;
        const members = checkedNewMembers(groupId, distinctMembers(command.members), command.knownMembers, command.unknownMembers);
        return [
          { type: 'GroupCreated', data: { groupId, attributes, at } },
          ...(members.length > 0 ? [{ type: 'GroupMembersAdded' as const, data: { groupId, members, at } }] : []),
        ];
      }
      case 'ReplaceGroup': {
        const group = presentOrNotFound(state, command.groupId);
        displayNameOf(command.attributes);
        const events: GroupEvent[] = attributeEvents(group, command.attributes, command.at);
        const members = withNewMembersChecked(group, distinctMembers(command.members), command.knownMembers, command.unknownMembers);
        const sameMembers = members.length === group.memberIds.size && members.every((member) => group.memberIds.has(member.value));
        if (!sameMembers) events.push({ type: 'GroupMembersReplaced', data: { groupId: group.groupId, members, at: command.at } });
        return events;
      }
      case 'PatchGroup': {
        const group = presentOrNotFound(state, command.groupId);
        const plan = planGroupPatch(command.operations);
        const attributes = applyAttributeOperations(group.attributes, plan.steps, command);
        displayNameOf(attributes);
        return [...attributeEvents(group, attributes, command.at), ...memberEvents(group, plan.steps, command.knownMembers, command.unknownMembers, command.at)];
      }
      case 'RemoveDeletedMember': {
        if (state.status !== 'present' || !state.memberIds.has(command.memberId)) return [];
        return [{ type: 'GroupMembersRemoved', data: { groupId: command.groupId, memberIds: [command.memberId], reason: 'member-deleted', at: command.at } }];
      }
      case 'DeleteGroup': {
        const group = presentOrNotFound(state, command.groupId);
        return [{ type: 'GroupDeleted', data: { groupId: group.groupId, displayName: displayNameOf(group.attributes), at: command.at } }];
      }
      default:
        return assertNever(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'GroupCreated':
        return {
          status: 'present',
          groupId: event.data.groupId,
          attributes: event.data.attributes,
          memberIds: PersistentSet<string>(),
          createdAt: event.data.at,
          lastModifiedAt: event.data.at,
        };
      case 'GroupUpdated':
        return state.status === 'present' ? { ...state, attributes: event.data.attributes, lastModifiedAt: event.data.at } : state;
      case 'GroupMembersAdded':
        return state.status === 'present'
          ? { ...state, memberIds: state.memberIds.withMutations((ids) => event.data.members.forEach((m) => ids.add(m.value))), lastModifiedAt: event.data.at }
          : state;
      case 'GroupMembersRemoved':
        return state.status === 'present'
          ? { ...state, memberIds: state.memberIds.withMutations((ids) => event.data.memberIds.forEach((id) => ids.delete(id))), lastModifiedAt: event.data.at }
          : state;
      case 'GroupMembersReplaced':
        return state.status === 'present'
          ? { ...state, memberIds: PersistentSet(event.data.members.map((m) => m.value)), lastModifiedAt: event.data.at }
          : state;
      case 'GroupDeleted':
        return { status: 'deleted', groupId: event.data.groupId };
      default:
        return assertNever(event);
    }
  },
};

function presentOrNotFound(state: GroupState, groupId: string): PresentGroup {
  if (state.status !== 'present') throw new NotFoundError(`Group ${groupId} not found`);
  return state;
}

function attributeEvents(group: PresentGroup, attributes: ScimAttributes, at: string): GroupEvent[] {
  const changes = diffResources(group.attributes as JsonObject, attributes as JsonObject);
  return changes.length === 0 ? [] : [{ type: 'GroupUpdated', data: { groupId: group.groupId, changes, attributes, at } }];
}

function applyAttributeOperations(
  attributes: ScimAttributes,
  steps: readonly MemberChange[],
  { registry, unknownAttributes }: Pick<Extract<GroupCommand, { type: 'PatchGroup' }>, 'registry' | 'unknownAttributes'>,
): ScimAttributes {
  const operations = steps.flatMap((step) => (step.kind === 'attributes' ? step.operations : []));
  if (operations.length === 0) return attributes;
  return applyPatch(attributes as JsonObject, operations, registry, 'Group', { unknownAttributes }).resource;
}

/**
 * The net membership change of a PATCH, as deltas against the state: an add of a present member or a removal
 * of an absent one records nothing, and no event carries the whole list unless the PATCH replaced it.
 */
function memberEvents(
  group: PresentGroup,
  steps: readonly MemberChange[],
  knownMembers: KnownMembers,
  policy: UnknownMembersPolicy | undefined,
  at: string,
): GroupEvent[] {
  const groupId = group.groupId;
  if (steps.some((step) => step.kind === 'replace' || step.kind === 'removeAll')) {
    // A replace anywhere makes the result a list, not a delta: compute the final list in order.
    let members = new Map<string, GroupMember>();
    for (const step of steps) {
      if (step.kind === 'replace') members = new Map(distinctMembers(step.members).map((m) => [m.value, m]));
      else if (step.kind === 'removeAll') members = new Map();
      else if (step.kind === 'add') for (const member of step.members) members.set(member.value, member);
      else if (step.kind === 'remove') for (const id of step.memberIds) members.delete(id);
    }
    const finalMembers = withNewMembersChecked(group, [...members.values()], knownMembers, policy);
    const unchanged = finalMembers.length === group.memberIds.size && finalMembers.every((m) => group.memberIds.has(m.value));
    return unchanged ? [] : [{ type: 'GroupMembersReplaced', data: { groupId, members: finalMembers, at } }];
  }
  const added = new Map<string, GroupMember>();
  const removed = new Set<string>();
  for (const step of steps) {
    if (step.kind === 'add') {
      for (const member of step.members) {
        if (removed.delete(member.value)) continue;
        if (!group.memberIds.has(member.value)) added.set(member.value, member);
      }
    } else if (step.kind === 'remove') {
      for (const id of step.memberIds) {
        if (added.delete(id)) continue;
        if (group.memberIds.has(id)) removed.add(id);
      }
    }
  }
  const events: GroupEvent[] = [];
  const addedMembers = checkedNewMembers(groupId, [...added.values()], knownMembers, policy);
  if (addedMembers.length > 0) events.push({ type: 'GroupMembersAdded', data: { groupId, members: addedMembers, at } });
  if (removed.size > 0) events.push({ type: 'GroupMembersRemoved', data: { groupId, memberIds: [...removed], reason: 'request', at } });
  return events;
}

/**
 * The ids a command may add that are not members yet, each with the type the client gave (if any): what the
 * shell resolves into KnownMembers before deciding. Members already in the group are not looked up again, so a
 * PUT that resends a 100,000-member list costs no 100,000 reads.
 */
export function membersToResolve(
  command: Extract<GroupCommand, { type: 'CreateGroup' | 'ReplaceGroup' | 'PatchGroup' }>,
  state: GroupState,
): GroupMember[] {
  const present = state.status === 'present' ? state.memberIds : null;
  const offered =
    command.type === 'PatchGroup'
      ? planGroupPatch(command.operations).steps.flatMap((step) => (step.kind === 'add' || step.kind === 'replace' ? step.members : []))
      : command.members;
  return distinctMembers(offered).filter((member) => present === null || !present.has(member.value));
}

/**
 * The ids a command offers to add that name no User or Group of the tenant (not in its KnownMembers): what
 * `skip` leaves out, and the handler records in the request's provisioning log entry. Ids already members are
 * not offered (membersToResolve), so a PUT resending its list reports only what it tried to add.
 */
export function unknownMemberIds(command: Extract<GroupCommand, { type: 'CreateGroup' | 'ReplaceGroup' | 'PatchGroup' }>, state: GroupState): string[] {
  return membersToResolve(command, state)
    .filter((member) => !command.knownMembers.has(member.value))
    .map((member) => member.value);
}

/** A list with its members new to the group checked (see checkedNewMembers), the others as they are, in order. */
function withNewMembersChecked(group: PresentGroup, members: readonly GroupMember[], knownMembers: KnownMembers, policy: UnknownMembersPolicy | undefined): GroupMember[] {
  const fresh = checkedNewMembers(group.groupId, members.filter((member) => !group.memberIds.has(member.value)), knownMembers, policy);
  const checked = new Map(fresh.map((member) => [member.value, member]));
  return members.flatMap((member) => {
    if (group.memberIds.has(member.value)) return [member];
    const known = checked.get(member.value);
    return known === undefined ? [] : [known]; // skipped: names nothing
  });
}

/**
 * Members being added must be existing Users or Groups of the tenant (RFC 7644 §3.5.2: an invalid value is 400
 * invalidValue), of the type the client gave when it gave one; a member without a type gets the one found, so
 * downstream apps can tell users from groups. A group cannot contain itself. An id that names nothing is refused
 * or, under `skip`, left out; a wrong type or the group itself is refused under either policy (the id exists: the
 * request is wrong, not stale).
 */
function checkedNewMembers(groupId: string, members: readonly GroupMember[], knownMembers: KnownMembers, policy: UnknownMembersPolicy = 'reject'): GroupMember[] {
  const unknown: string[] = [];
  const checked: GroupMember[] = [];
  for (const member of members) {
    if (member.value === groupId) throw new ScimError(400, 'invalidValue', `a group cannot be a member of itself (members value "${groupId}")`);
    const kind = knownMembers.get(member.value);
    if (kind === undefined) {
      unknown.push(member.value);
      continue;
    }
    if (member.type !== undefined && member.type !== kind) {
      throw new ScimError(400, 'invalidValue', `member "${member.value}" is a ${kind}, not a ${member.type}: fix its "type" or leave it out`);
    }
    checked.push(typedMember(member, knownMembers));
  }
  if (unknown.length > 0 && policy === 'reject') {
    const shown = unknown.slice(0, 5).map((id) => `"${id}"`).join(', ');
    const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : '';
    throw new ScimError(
      400,
      'invalidValue',
      `members must be existing Users or Groups of this tenant; no such resource: ${shown}${more} (create the member first, or remove it from the request)`,
    );
  }
  return checked;
}

/** The member with the type found for it (KnownMembers) when the client sent none. */
export function typedMember(member: GroupMember, knownMembers: KnownMembers): GroupMember {
  const kind = knownMembers.get(member.value);
  return member.type !== undefined || kind === undefined ? member : { ...member, type: kind };
}

function distinctMembers(members: readonly GroupMember[]): GroupMember[] {
  return [...new Map(members.map((member) => [member.value, member])).values()];
}
