import { Command } from '@nestjs/cqrs';
import type { ScimAttributes } from '#domain/scim-resource.js';
import type { PatchOperation } from '#scim/patch/patch.operation.js';
import type { UnknownAttributePolicy } from '#scim/resource/attribute-value.normaliser.js';
import type { ScimCallContext } from '../http/request-context.js';
import type { UserSnapshot } from './user.presenter.js';

export class CreateUserCommand extends Command<UserSnapshot> {
  constructor(
    readonly context: ScimCallContext,
    readonly userId: string,
    readonly attributes: ScimAttributes,
  ) {
    super();
  }
}

/** PUT (a whole new resource) or PATCH (operations); If-Match gives the revision the client last saw. */
export class UpdateUserCommand extends Command<UserSnapshot> {
  constructor(
    readonly context: ScimCallContext,
    readonly userId: string,
    readonly change:
      | { readonly type: 'ReplaceUser'; readonly attributes: ScimAttributes }
      | { readonly type: 'PatchUser'; readonly operations: readonly PatchOperation[]; readonly unknownAttributes: UnknownAttributePolicy },
    readonly requiredRevision?: bigint,
  ) {
    super();
  }
}

export class DeleteUserCommand extends Command<void> {
  constructor(
    readonly context: ScimCallContext,
    readonly userId: string,
    readonly requiredRevision?: bigint,
  ) {
    super();
  }
}
