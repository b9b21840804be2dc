import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { groupAttributesAfter, groupDecider, type GroupCommand, type GroupState } from '#domain/group/group.decider.js';
import { streamNames } from '#domain/stream-names.js';
import { decision, type DecidedStream } from '#event-store/command.loop.js';
import { CommandRunner } from '../commands/command.runner.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { uniqueKeyDecisions, uniqueKeysOf } from '../unique-keys.js';
import { CreateGroupCommand, DeleteGroupCommand, UpdateGroupCommand } from './group.commands.js';
import { membersOf, type GroupSnapshot } from './group.presenter.js';

/** Thin shells over the group decider: name the streams, run the command loop, wait for the read model. */
@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler implements ICommandHandler<CreateGroupCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
  ) {}

  async execute({ context, groupId, attributes, members }: CreateGroupCommand): Promise<GroupSnapshot> {
    const at = context.metadata.occurredAt;
    const groupStream = streamNames.group(context.tenantId, groupId);
    const outcome = await this.commands.run(context, async () => [
        decision(groupStream, groupDecider, { type: 'CreateGroup', groupId, attributes, members, at }),
        ...uniqueKeyDecisions(context.tenantId, groupId, [], uniqueKeysOf.group(attributes), at),
      ]);
    const group = outcome.streams.get(groupStream)!;
    await this.commands.settle(context, group.position);
    return { ...snapshotOf(group), members: membersOf(members) };
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
    const command: Extract<GroupCommand, { type: 'ReplaceGroup' | 'PatchGroup' }> =
      change.type === 'ReplaceGroup' ? { ...change, groupId, at } : { ...change, groupId, at, registry: this.registries.forTenant(context.tenantId) };
    const outcome = await this.commands.run(context, async (loader) => {
        const { state } = await loader.load(groupStream, groupDecider);
        const groupDecision = decision(groupStream, groupDecider, command, { requiredRevision });
        if (state.status !== 'present') return [groupDecision]; // the decider answers 404
        const after = groupAttributesAfter(command, state);
        return [groupDecision, ...uniqueKeyDecisions(context.tenantId, groupId, uniqueKeysOf.group(state.attributes), uniqueKeysOf.group(after), at)];
      });
    const group = outcome.streams.get(groupStream)!;
    await this.commands.settle(context, group.position);
    return { ...snapshotOf(group), ...(change.type === 'ReplaceGroup' ? { members: membersOf(change.members) } : {}) };
  }
}

@CommandHandler(DeleteGroupCommand)
export class DeleteGroupHandler implements ICommandHandler<DeleteGroupCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
  ) {}

  async execute({ context, groupId, requiredRevision }: DeleteGroupCommand): Promise<void> {
    const at = context.metadata.occurredAt;
    const groupStream = streamNames.group(context.tenantId, groupId);
    const outcome = await this.commands.run(context, async (loader) => {
        const { state } = await loader.load(groupStream, groupDecider);
        const groupDecision = decision(groupStream, groupDecider, { type: 'DeleteGroup', groupId, at }, { requiredRevision });
        if (state.status !== 'present') return [groupDecision]; // the decider answers 404
        return [groupDecision, ...uniqueKeyDecisions(context.tenantId, groupId, uniqueKeysOf.group(state.attributes), [], at)];
      });
    await this.commands.settle(context, outcome.position);
  }
}

function snapshotOf(group: DecidedStream): GroupSnapshot {
  const state = group.state as GroupState;
  if (state.status !== 'present' || group.revision === null) throw new Error(`group is ${state.status} right after a successful command`);
  return { id: state.groupId, attributes: state.attributes, version: group.revision, createdAt: state.createdAt, lastModifiedAt: state.lastModifiedAt };
}

export const GROUP_COMMAND_HANDLERS = [CreateGroupHandler, UpdateGroupHandler, DeleteGroupHandler];
