import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamNames } from '#domain/stream-names.js';
import { attributesOfUser, userDecider, type UserCommand, type UserState } from '#domain/user/user.decider.js';
import { decision, type DecidedStream } from '#event-store/command.loop.js';
import { GroupsQuery } from '#read-model/groups.query.js';
import { CommandRunner } from '../commands/command.runner.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { CreateUserCommand, DeleteUserCommand, UpdateUserCommand } from './user.commands.js';
import { uniqueKeyDecisions, uniqueKeysOf } from '../unique-keys.js';
import { removalsFromGroups, sweepDeletedMember } from '../groups/group-members.js';
import type { UserSnapshot } from './user.presenter.js';

/**
 * Thin shells (STYLE.md principle 3): name the streams, run the command loop (which reads, folds, decides and
 * appends the user and its unique-key reservations atomically), wait for the read model, return the new state.
 */
@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
  ) {}

  async execute({ context, userId, attributes }: CreateUserCommand): Promise<UserSnapshot> {
    const at = context.metadata.occurredAt;
    const userStream = streamNames.user(context.tenantId, userId);
    const outcome = await this.commands.run(context, async () => [
        decision(userStream, userDecider, { type: 'CreateUser', userId, attributes, at }),
        ...uniqueKeyDecisions(context.tenantId, userId, [], uniqueKeysOf(this.registries.forTenant(context.tenantId), 'User', attributes), at),
      ]);
    const user = outcome.streams.get(userStream)!;
    await this.commands.settle(context, user.position);
    return snapshotOf(user);
  }
}

@CommandHandler(UpdateUserCommand)
export class UpdateUserHandler implements ICommandHandler<UpdateUserCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
  ) {}

  async execute({ context, userId, change, requiredRevision }: UpdateUserCommand): Promise<UserSnapshot> {
    const at = context.metadata.occurredAt;
    const userStream = streamNames.user(context.tenantId, userId);
    const command: Extract<UserCommand, { type: 'ReplaceUser' | 'PatchUser' }> =
      change.type === 'ReplaceUser' ? { ...change, userId, at } : { ...change, userId, at, registry: this.registries.forTenant(context.tenantId) };
    const outcome = await this.commands.run(context, async (loader) => {
      // Decided once per attempt (the decider answers 404 or 412); a rename or a new externalId moves the
      // user's reservations in the same atomic append.
      const user = await loader.decide(userStream, userDecider, command, { requiredRevision });
      const registry = this.registries.forTenant(context.tenantId); // read per attempt: a tenant's uniqueness may change
      const keys = (state: UserState) => uniqueKeysOf(registry, 'User', attributesOfUser(state));
      return uniqueKeyDecisions(context.tenantId, userId, keys(user.before), keys(user.after), at);
    });
    const user = outcome.streams.get(userStream)!;
    await this.commands.settle(context, user.position);
    return snapshotOf(user);
  }
}

@CommandHandler(DeleteUserCommand)
export class DeleteUserHandler implements ICommandHandler<DeleteUserCommand> {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(GroupsQuery) private readonly groups: GroupsQuery,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
  ) {}

  /**
   * Deleting frees the user's keys (DESIGN.md: "Rename and delete release the old key") and removes the user
   * from every group it was in, each removal an event downstream apps and auditors see, in the same append.
   * The groups come from the read model's member index; a membership committed just before the delete that the
   * read model had not applied yet is removed by the sweep once the delete has settled (sweepDeletedMember).
   */
  async execute({ context, userId, requiredRevision }: DeleteUserCommand): Promise<void> {
    const at = context.metadata.occurredAt;
    const userStream = streamNames.user(context.tenantId, userId);
    // The groups it is in, from the read model, once: not per attempt (a cached attempt reads nothing).
    const groupIds = await this.groups.groupIdsOfMember(context.tenantId, userId);
    const outcome = await this.commands.run(context, async (loader) => {
      const user = await loader.decide(userStream, userDecider, { type: 'DeleteUser', userId, at }, { requiredRevision }); // 404 or 412
      return [
        ...uniqueKeyDecisions(context.tenantId, userId, uniqueKeysOf(this.registries.forTenant(context.tenantId), 'User', attributesOfUser(user.before)), [], at),
        ...removalsFromGroups(context.tenantId, userId, groupIds, at),
      ];
    });
    const settled = await this.commands.settle(context, outcome.position);
    await sweepDeletedMember(this.commands, this.groups, context, userId, settled);
  }
}

function snapshotOf(user: DecidedStream): UserSnapshot {
  const state = user.state as UserState;
  if (state.status !== 'present' || user.revision === null) throw new Error(`user is ${state.status} right after a successful command`);
  return {
    id: state.userId,
    attributes: state.attributes,
    version: user.revision,
    createdAt: state.createdAt,
    lastModifiedAt: state.lastModifiedAt,
  };
}

export const USER_COMMAND_HANDLERS = [CreateUserHandler, UpdateUserHandler, DeleteUserHandler];
