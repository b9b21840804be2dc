import { applyPatch } from '#scim/patch/patch.engine.js';
import type { PatchOperation } from '#scim/patch/patch.operation.js';
import { diffResources } from '#scim/resource/resource.diff.js';
import type { JsonObject } from '#scim/resource/json-value.js';
import type { UnknownAttributePolicy } from '#scim/resource/attribute-value.normaliser.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { NotFoundError, ScimError } from '#scim/scim-error.js';
import { assertNever, type Decider } from '../decider.js';
import type { ScimAttributes } from '../scim-resource.js';
import { decodeUserEvent, type UserEvent } from './user.events.js';

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

/** The attributes of a user that exists; none otherwise (a user that does not exist holds no unique key). */
export function attributesOfUser(state: UserState): ScimAttributes {
  return state.status === 'present' ? state.attributes : {};
}

/**
 * Commands carry validated attributes, the new id and the clock: the decider has no I/O and no clock.
 * PATCH is decided here, on the state the command loop just folded, so a retry after a version conflict
 * re-applies the operations to the newer state instead of overwriting it.
 */
export type UserCommand =
  | { readonly type: 'CreateUser'; readonly userId: string; readonly attributes: ScimAttributes; readonly at: string }
  /** PUT (RFC 7644 §3.5.1): the whole resource, already normalised against the schemas. */
  | { readonly type: 'ReplaceUser'; readonly userId: string; readonly attributes: ScimAttributes; readonly at: string }
  /** PATCH (RFC 7644 §3.5.2), with the deployment's policy for unknown attributes (SCIM_UNKNOWN_ATTRIBUTES), as POST and PUT. */
  | {
      readonly type: 'PatchUser';
      readonly userId: string;
      readonly operations: readonly PatchOperation[];
      readonly registry: SchemaRegistry;
      readonly unknownAttributes: UnknownAttributePolicy;
      readonly at: string;
    }
  | { readonly type: 'DeleteUser'; readonly userId: string; readonly at: string };

/**
 * The gateway authenticates nobody, so it never keeps a password: one in a request is dropped before anything is
 * recorded. Events are kept forever and published to Kafka; a password there could never be taken back, and a
 * stored one could be guessed through filters (`password sw "a"`). ServiceProviderConfig says changePassword
 * is not supported.
 */
export function withoutPassword(attributes: ScimAttributes): ScimAttributes {
  const key = Object.keys(attributes).find((name) => name.toLowerCase() === 'password');
  if (key === undefined) return attributes;
  const { [key]: _dropped, ...rest } = attributes;
  return rest;
}

export function userNameOf(attributes: ScimAttributes): string {
  const userName = attributes['userName'];
  if (typeof userName !== 'string') throw new ScimError(400, 'invalidValue', 'userName is required and must be a string');
  return userName;
}

/** The attributes a ReplaceUser or PatchUser leaves the user with (PATCH: the one call of the PATCH engine). */
function attributesAfter(
  command: Extract<UserCommand, { type: 'ReplaceUser' | 'PatchUser' }>,
  state: UserState,
): ScimAttributes {
  if (state.status !== 'present') throw new NotFoundError(`User ${command.userId} not found`);
  if (command.type === 'ReplaceUser') return withoutPassword(command.attributes);
  const options = { unknownAttributes: command.unknownAttributes };
  return withoutPassword(applyPatch(state.attributes as JsonObject, command.operations, command.registry, 'User', options).resource);
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: { status: 'absent' },
  decode: decodeUserEvent,

  decide(command, state) {
    switch (command.type) {
      case 'CreateUser':
        if (state.status !== 'absent') {
          // Ids are server-generated UUIDs, so this is a retried command, not a client mistake.
          throw new ScimError(409, 'uniqueness', `user ${command.userId} already exists`);
        }
        userNameOf(command.attributes);
        return [{ type: 'UserCreated', data: { userId: command.userId, attributes: withoutPassword(command.attributes), at: command.at } }];
      case 'ReplaceUser':
      case 'PatchUser': {
        const attributes = attributesAfter(command, state);
        userNameOf(attributes);
        const before = (state as Extract<UserState, { status: 'present' }>).attributes;
        const changes = diffResources(before as JsonObject, attributes as JsonObject);
        if (changes.length === 0) return [];
        return [{ type: 'UserUpdated', data: { userId: command.userId, changes, attributes, at: command.at } }];
      }
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
