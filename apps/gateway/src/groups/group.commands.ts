import { Command } from '@nestjs/cqrs';
import type { GroupMember } from '#domain/group/group.events.js';
import type { ScimAttributes } from '#domain/scim-resource.js';
import type { PatchOperation } from '#scim/patch/patch.operation.js';
import type { UnknownAttributePolicy } from '#scim/resource/attribute-value.normaliser.js';
import type { ScimCallContext } from '../http/request-context.js';
import type { GroupSnapshot } from './group.presenter.js';

export class CreateGroupCommand extends Command<GroupSnapshot> {
  constructor(
    readonly context: ScimCallContext,
    readonly groupId: string,
    readonly attributes: ScimAttributes,
    readonly members: readonly GroupMember[],
  ) {
    super();
  }
}

export class UpdateGroupCommand extends Command<GroupSnapshot> {
  constructor(
    readonly context: ScimCallContext,
    readonly groupId: string,
    readonly change:
      | { readonly type: 'ReplaceGroup'; readonly attributes: ScimAttributes; readonly members: readonly GroupMember[] }
      | { readonly type: 'PatchGroup'; readonly operations: readonly PatchOperation[]; readonly unknownAttributes: UnknownAttributePolicy },
    readonly requiredRevision?: bigint,
  ) {
    super();
  }
}

export class DeleteGroupCommand extends Command<void> {
  constructor(
    readonly context: ScimCallContext,
    readonly groupId: string,
    readonly requiredRevision?: bigint,
  ) {
    super();
  }
}
