import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  attributesOfGroup,
  groupDecider,
  membersToResolve,
  typedMember,
  unknownMemberIds,
  type GroupCommand,
  type GroupState,
  type KnownMembers,
} from '#domain/group/group.decider.js';
import type { GroupMember } from '#domain/group/group.events.js';
import { streamNames } from '#domain/stream-names.js';
import { decision, type DecidedStream } from '#event-store/command.loop.js';
import { GroupsQuery } from '#read-model/groups.query.js';
import { CommandRunner } from '../commands/command.runner.js';
import { noteSkippedMembers } from '../http/request-context.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { TenantSettings } from '../tenancy/tenant-settings.js';
import { uniqueKeyDecisions, uniqueKeysOf } from '../unique-keys.js';
import { CreateGroupCommand, DeleteGroupCommand, UpdateGroupCommand } from './group.commands.js';
import { membersOf, type GroupSnapshot } from './group.presenter.js';
import { removalsFromGroups, resolveMembers, sweepDeletedMember } from './group-members.js';

/**
 * Thin shells over the group decider: name the streams, run the command loop, wait for the read model. Each
 * command carries the tenant's policy for member ids that name nothing (TenantSettings); the ids it skipped go
 * to the request's provisioning log entry, from the attempt that committed.
 */
@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler implements ICommandHandler<CreateGroupCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(TenantSettings) private readonly settings: TenantSettings,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
  ) {}

  async execute({ context, groupId, attributes, members }: CreateGroupCommand): Promise<GroupSnapshot> {
    const at = context.metadata.occurredAt;
    const groupStream = streamNames.group(context.tenantId, groupId);
    const unknownMembers = this.settings.forTenant(context.tenantId).unknownGroupMembers;
    const proposed: Extract<GroupCommand, { type: 'CreateGroup' }> = { type: 'CreateGroup', groupId, attributes, members, knownMembers: new Map(), unknownMembers, at };
    const outcome = await this.commands.run(context, async (loader) => {
      const create = { ...proposed, knownMembers: await resolveMembers(loader, context.tenantId, membersToResolve(proposed, groupDecider.initialState)) };
      return {
        decisions: [
          decision(groupStream, groupDecider, create),
          ...uniqueKeyDecisions(context.tenantId, groupId, [], uniqueKeysOf(this.registries.forTenant(context.tenantId), 'Group', attributes), at),
        ],
        result: create,
      };
    });
    const create = outcome.result;
    if (unknownMembers === 'skip') noteSkippedMembers(context.outcome, unknownMemberIds(create, groupDecider.initialState));
    const group = outcome.streams.get(groupStream)!;
    await this.commands.settle(context, group.position);
    return { ...snapshotOf(group), members: membersOf(membersKept(members, create.knownMembers, group)) };
  }
}

@CommandHandler(UpdateGroupCommand)
export class UpdateGroupHandler implements ICommandHandler<UpdateGroupCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
    @Inject(TenantSettings) private readonly settings: TenantSettings,
  ) {}

  async execute({ context, groupId, change, requiredRevision }: UpdateGroupCommand): Promise<GroupSnapshot> {
    const at = context.metadata.occurredAt;
    const groupStream = streamNames.group(context.tenantId, groupId);
    const unknownMembers = this.settings.forTenant(context.tenantId).unknownGroupMembers;
    const unresolved: Extract<GroupCommand, { type: 'ReplaceGroup' | 'PatchGroup' }> =
      change.type === 'ReplaceGroup'
        ? { ...change, groupId, at, knownMembers: new Map(), unknownMembers }
        : { ...change, groupId, at, registry: this.registries.forTenant(context.tenantId), knownMembers: new Map(), unknownMembers };
    const outcome = await this.commands.run<{ knownMembers: KnownMembers; skipped: readonly string[] }>(context, async (loader) => {
      const { state } = await loader.load(groupStream, groupDecider);
      if (state.status !== 'present') {
        return { decisions: [decision(groupStream, groupDecider, unresolved, { requiredRevision })], result: { knownMembers: new Map(), skipped: [] } }; // the decider answers 404
      }
      const knownMembers: KnownMembers = await resolveMembers(loader, context.tenantId, membersToResolve(unresolved, state));
      const command = { ...unresolved, knownMembers };
      // Decided once per attempt; a new displayName or externalId moves the group's reservations in the same append.
      const group = await loader.decide(groupStream, groupDecider, command, { requiredRevision });
      const registry = this.registries.forTenant(context.tenantId);
      const keys = (decided: GroupState) => uniqueKeysOf(registry, 'Group', attributesOfGroup(decided));
      return {
        decisions: uniqueKeyDecisions(context.tenantId, groupId, keys(group.before), keys(group.after), at),
        result: { knownMembers, skipped: unknownMemberIds(command, state) },
      };
    });
    const { knownMembers, skipped } = outcome.result;
    if (unknownMembers === 'skip') noteSkippedMembers(context.outcome, skipped);
    const group = outcome.streams.get(groupStream)!;
    await this.commands.settle(context, group.position);
    return { ...snapshotOf(group), ...(change.type === 'ReplaceGroup' ? { members: membersOf(membersKept(change.members, knownMembers, group)) } : {}) };
  }
}

@CommandHandler(DeleteGroupCommand)
export class DeleteGroupHandler implements ICommandHandler<DeleteGroupCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(GroupsQuery) private readonly groups: GroupsQuery,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
  ) {}

  /** Like a user's deletion: frees the displayName and removes the group from every group it was a member of. */
  async execute({ context, groupId, requiredRevision }: DeleteGroupCommand): Promise<void> {
    const at = context.metadata.occurredAt;
    const groupStream = streamNames.group(context.tenantId, groupId);
    // The groups it is in, from the read model, once: not per attempt (a cached attempt reads nothing).
    const parents = (await this.groups.groupIdsOfMember(context.tenantId, groupId)).filter((parent) => parent !== groupId);
    const outcome = await this.commands.run(context, async (loader) => {
      const group = await loader.decide(groupStream, groupDecider, { type: 'DeleteGroup', groupId, at }, { requiredRevision }); // 404 or 412
      return [
        ...uniqueKeyDecisions(context.tenantId, groupId, uniqueKeysOf(this.registries.forTenant(context.tenantId), 'Group', attributesOfGroup(group.before)), [], at),
        ...removalsFromGroups(context.tenantId, groupId, parents, at),
      ];
    });
    const settled = await this.commands.settle(context, outcome.position);
    await sweepDeletedMember(this.commands, this.groups, context, groupId, settled);
  }
}

/**
 * What a POST or PUT answers as `members`: the request's members the group now has (once each; not the ids
 * skipped), with the type found for each (a member added without one gets it in the events too).
 */
function membersKept(members: readonly GroupMember[], knownMembers: KnownMembers, group: DecidedStream): GroupMember[] {
  const state = group.state as GroupState;
  const memberIds = state.status === 'present' ? state.memberIds : null;
  const kept = members.filter((member) => memberIds?.has(member.value));
  return [...new Map(kept.map((member) => [member.value, typedMember(member, knownMembers)])).values()];
}

function snapshotOf(group: DecidedStream): GroupSnapshot {
  const state = group.state as GroupState;
  if (state.status !== 'present' || group.revision === null) throw new Error(`group is ${state.status} right after a successful command`);
  return { id: state.groupId, attributes: state.attributes, version: group.revision, createdAt: state.createdAt, lastModifiedAt: state.lastModifiedAt };
}

export const GROUP_COMMAND_HANDLERS = [CreateGroupHandler, UpdateGroupHandler, DeleteGroupHandler];
