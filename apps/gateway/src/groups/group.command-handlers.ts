import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  groupAttributesAfter,
  groupDecider,
  membersToResolve,
  typedMember,
  type GroupCommand,
  type GroupState,
  type KnownMembers,
} from '#domain/group/group.decider.js';
import type { GroupMember } from '#domain/group/group.events.js';
import { streamNames } from '#domain/stream-names.js';
import { decision, type DecidedStream } from '#event-store/command.loop.js';
import { GroupsQuery } from '#read-model/groups.query.js';
import { CommandRunner } from '../commands/command.runner.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { uniqueKeyDecisions, uniqueKeysOf } from '../unique-keys.js';
import { CreateGroupCommand, DeleteGroupCommand, UpdateGroupCommand } from './group.commands.js';
import { membersOf, type GroupSnapshot } from './group.presenter.js';
import { removalsFromGroups, resolveMembers, sweepDeletedMember } from './group-members.js';

/** Thin shells over the group decider: name the streams, run the command loop, wait for the read model. */
@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler implements ICommandHandler<CreateGroupCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
  ) {}

  async execute({ context, groupId, attributes, members }: CreateGroupCommand): Promise<GroupSnapshot> {
    const at = context.metadata.occurredAt;
    const groupStream = streamNames.group(context.tenantId, groupId);
    let knownMembers: KnownMembers = new Map();
    const outcome = await this.commands.run(context, async (loader) => {
      const create = { type: 'CreateGroup', groupId, attributes, members, knownMembers, at } as const;
      knownMembers = await resolveMembers(loader, context.tenantId, membersToResolve(create, groupDecider.initialState));
      return [
        decision(groupStream, groupDecider, { ...create, knownMembers }),
        ...uniqueKeyDecisions(context.tenantId, groupId, [], uniqueKeysOf(this.registries.forTenant(context.tenantId), 'Group', attributes), at),
      ];
    });
    const group = outcome.streams.get(groupStream)!;
    await this.commands.settle(context, group.position);
    return { ...snapshotOf(group), members: membersOf(typed(members, knownMembers)) };
  }
}

@CommandHandler(UpdateGroupCommand)
export class UpdateGroupHandler implements ICommandHandler<UpdateGroupCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
  ) {}

  async execute({ context, groupId, change, requiredRevision }: UpdateGroupCommand): Promise<GroupSnapshot> {
    const at = context.metadata.occurredAt;
    const groupStream = streamNames.group(context.tenantId, groupId);
    const unresolved: Extract<GroupCommand, { type: 'ReplaceGroup' | 'PatchGroup' }> =
      change.type === 'ReplaceGroup'
        ? { ...change, groupId, at, knownMembers: new Map() }
        : { ...change, groupId, at, registry: this.registries.forTenant(context.tenantId), knownMembers: new Map() };
    let knownMembers: KnownMembers = new Map();
    const outcome = await this.commands.run(context, async (loader) => {
      const { state } = await loader.load(groupStream, groupDecider);
      if (state.status !== 'present') return [decision(groupStream, groupDecider, unresolved, { requiredRevision })]; // the decider answers 404
      knownMembers = await resolveMembers(loader, context.tenantId, membersToResolve(unresolved, state));
      const command = { ...unresolved, knownMembers };
      const after = groupAttributesAfter(command, state);
      return [
        decision(groupStream, groupDecider, command, { requiredRevision }),
        ...uniqueKeyDecisions(context.tenantId, groupId, uniqueKeysOf(this.registries.forTenant(context.tenantId), 'Group', state.attributes), uniqueKeysOf(this.registries.forTenant(context.tenantId), 'Group', after), at),
      ];
    });
    const group = outcome.streams.get(groupStream)!;
    await this.commands.settle(context, group.position);
    return { ...snapshotOf(group), ...(change.type === 'ReplaceGroup' ? { members: membersOf(typed(change.members, knownMembers)) } : {}) };
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
    const outcome = await this.commands.run(context, async (loader) => {
      const { state } = await loader.load(groupStream, groupDecider);
      const groupDecision = decision(groupStream, groupDecider, { type: 'DeleteGroup', groupId, at }, { requiredRevision });
      if (state.status !== 'present') return [groupDecision]; // the decider answers 404
      const parents = (await this.groups.groupIdsOfMember(context.tenantId, groupId)).filter((parent) => parent !== groupId);
      return [
        groupDecision,
        ...uniqueKeyDecisions(context.tenantId, groupId, uniqueKeysOf(this.registries.forTenant(context.tenantId), 'Group', state.attributes), [], at),
        ...removalsFromGroups(context.tenantId, groupId, parents, at),
      ];
    });
    const settled = await this.commands.settle(context, outcome.position);
    await sweepDeletedMember(this.commands, this.groups, context, groupId, settled);
  }
}

/** The request's members with the type found for each (a member added without one gets it in the events too). */
function typed(members: readonly GroupMember[], knownMembers: KnownMembers): GroupMember[] {
  return members.map((member) => typedMember(member, knownMembers));
}

function snapshotOf(group: DecidedStream): GroupSnapshot {
  const state = group.state as GroupState;
  if (state.status !== 'present' || group.revision === null) throw new Error(`group is ${state.status} right after a successful command`);
  return { id: state.groupId, attributes: state.attributes, version: group.revision, createdAt: state.createdAt, lastModifiedAt: state.lastModifiedAt };
}

export const GROUP_COMMAND_HANDLERS = [CreateGroupHandler, UpdateGroupHandler, DeleteGroupHandler];
