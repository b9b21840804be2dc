import { NotFoundError, ScimError } from '#scim/scim-error.js';
import { assertNever, type Decider } from '../decider.js';
import type { ScimAttributes } from '../scim-resource.js';
import type { AttributeChange, UserEvent } from './user.events.js';

export type UserState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'present';
      readonly userId: string;
      readonly attributes: ScimAttributes;
      readonly createdAt: string;
      readonly lastModifiedAt: string;
    }
  | { readonly status: 'deleted'; readonly userId: string };

/** Commands carry validated attributes, the new id and the clock: the decider has no I/O and no clock. */
export type UserCommand =
  | { readonly type: 'CreateUser'; readonly userId: string; readonly attributes: ScimAttributes; readonly at: string }
  | {
      readonly type: 'UpdateUser';
      readonly userId: string;
      /** The whole resource after the change (PUT body, or the PATCH engine's result). */
      readonly attributes: ScimAttributes;
      readonly changes: readonly AttributeChange[];
      readonly at: string;
    }
  | { readonly type: 'DeleteUser'; readonly userId: string; readonly at: string };

export function userNameOf(attributes: ScimAttributes): string {
  const userName = attributes['userName'];
  if (typeof userName !== 'string') throw new ScimError(400, 'invalidValue', 'userName is required and must be a string');
  return userName;
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: { status: 'absent' },

  decide(command, state) {
    switch (command.type) {
      case 'CreateUser':
        if (state.status !== 'absent') {
          // Ids are server-generated UUIDs, so this is a retried command, not a client mistake.
          throw new ScimError(409, 'uniqueness', `user ${command.userId} already exists`);
        }
        userNameOf(command.attributes);
        return [{ type: 'UserCreated', data: { userId: command.userId, attributes: command.attributes, at: command.at } }];
      case 'UpdateUser':
        if (state.status !== 'present') throw new NotFoundError(`User ${command.userId} not found`);
        userNameOf(command.attributes);
        if (command.changes.length === 0) return [];
        return [
          {
            type: 'UserUpdated',
            data: { userId: command.userId, changes: command.changes, attributes: command.attributes, at: command.at },
          },
        ];
      case 'DeleteUser':
        if (state.status !== 'present') throw new NotFoundError(`User ${command.userId} not found`);
        return [{ type: 'UserDeleted', data: { userId: command.userId, userName: userNameOf(state.attributes), at: command.at } }];
      default:
        return assertNever(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UserCreated':
        return {
          status: 'present',
          userId: event.data.userId,
          attributes: event.data.attributes,
          createdAt: event.data.at,
          lastModifiedAt: event.data.at,
        };
      case 'UserUpdated':
        if (state.status !== 'present') return state;
        return { ...state, attributes: event.data.attributes, lastModifiedAt: event.data.at };
      case 'UserDeleted':
        return { status: 'deleted', userId: event.data.userId };
      default:
        return assertNever(event);
    }
  },
};
