import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { deciderSpec } from '#testing/given-when-then.js';
import { userDecider, type UserState } from './user.decider.js';
import type { UserEvent } from './user.events.js';

const at = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T11:00:00.000Z';
const userId = '2819c223-7f76-453a-919d-413861904646';
const attributes = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen@example.com', active: true };
const created: UserEvent = { type: 'UserCreated', data: { userId, attributes, at } };
const spec = deciderSpec(userDecider);
const registry = new SchemaRegistry();

describe('user decider', () => {
  it('creates a user that does not exist yet', () => {
    spec.given([]).when({ type: 'CreateUser', userId, attributes, at }).then([created]);
  });

  it('refuses to create the same id twice', () => {
    spec.given([created]).when({ type: 'CreateUser', userId, attributes, at }).thenThrows({ status: 409, scimType: 'uniqueness' });
  });

  it('never records a password, on create, replace or patch', () => {
    spec.given([]).when({ type: 'CreateUser', userId, attributes: { ...attributes, password: 't1meMa$heen' }, at }).then([created]);
    spec.given([created]).when({ type: 'ReplaceUser', userId, attributes: { ...attributes, password: 'x' }, at: later }).then([]);
    spec.given([created]).when({ type: 'PatchUser', userId, operations: [{ op: 'add', path: 'password', value: 'x' }], registry, unknownAttributes: 'reject', at: later }).then([]);
  });

  it('refuses a user without userName', () => {
    spec.given([]).when({ type: 'CreateUser', userId, attributes: { active: true }, at }).thenThrows({ status: 400, scimType: 'invalidValue', detail: /userName/ });
  });

  it('records a replace with its changes and the resulting attributes', () => {
    const after = { ...attributes, active: false };
    spec
      .given([created])
      .when({ type: 'ReplaceUser', userId, attributes: after, at: later })
      .then([{ type: 'UserUpdated', data: { userId, changes: [{ path: ['active'], before: true, after: false }], attributes: after, at: later } }]);
  });

  it("applies Entra's disable PATCH (capitalised op, string boolean) to the folded state", () => {
    spec
      .given([created])
      .when({ type: 'PatchUser', userId, operations: [{ op: 'Replace', path: 'active', value: 'False' }], registry, unknownAttributes: 'reject', at: later })
      .then([
        {
          type: 'UserUpdated',
          data: { userId, changes: [{ path: ['active'], before: true, after: false }], attributes: { ...attributes, active: false }, at: later },
        },
      ]);
  });

  it('records nothing for a PATCH or replace that changes nothing', () => {
    spec.given([created]).when({ type: 'PatchUser', userId, operations: [{ op: 'replace', path: 'active', value: true }], registry, unknownAttributes: 'reject', at: later }).then([]);
    spec.given([created]).when({ type: 'ReplaceUser', userId, attributes, at: later }).then([]);
  });

  it('applies the unknown-attribute policy to PATCH as to POST and PUT (SCIM_UNKNOWN_ATTRIBUTES, RFC 7644 §3.3)', () => {
    const operations = [{ op: 'replace', path: 'shoeSize', value: 42 }, { op: 'replace', value: { active: false, hat: 'x' } }];
    spec
      .given([created])
      .when({ type: 'PatchUser', userId, operations, registry, unknownAttributes: 'ignore', at: later })
      .then([{ type: 'UserUpdated', data: { userId, changes: [{ path: ['active'], before: true, after: false }], attributes: { ...attributes, active: false }, at: later } }]);
    spec
      .given([created])
      .when({ type: 'PatchUser', userId, operations, registry, unknownAttributes: 'reject', at: later })
      .thenThrows({ status: 400, scimType: 'invalidPath', detail: "'shoeSize' names no attribute of User" });
  });

  it('refuses a PATCH that removes userName with 400 invalidValue', () => {
    spec
      .given([created])
      .when({ type: 'PatchUser', userId, operations: [{ op: 'remove', path: 'userName' }], registry, unknownAttributes: 'reject', at: later })
      .thenThrows({ status: 400, scimType: 'invalidValue' });
  });

  it('answers 404 to a PATCH of a user that does not exist', () => {
    spec.given([]).when({ type: 'PatchUser', userId, operations: [{ op: 'replace', path: 'active', value: false }], registry, unknownAttributes: 'reject', at: later }).thenThrows({ status: 404 });
  });

  it('deletes a present user, remembering its userName for the key release', () => {
    spec
      .given([created])
      .when({ type: 'DeleteUser', userId, at: later })
      .then([{ type: 'UserDeleted', data: { userId, userName: 'bjensen@example.com', at: later } }]);
  });

  const deleted: UserEvent = { type: 'UserDeleted', data: { userId, userName: 'bjensen@example.com', at: later } };
  it.each<[string, UserEvent[]]>([
    ['never created', []],
    ['already deleted', [created, deleted]],
  ])('answers 404 to deleting a user %s', (_, history) => {
    spec.given(history).when({ type: 'DeleteUser', userId, at: later }).thenThrows({ status: 404 });
  });

  it('keeps createdAt and moves lastModifiedAt on update', () => {
    const updated: UserEvent = { type: 'UserUpdated', data: { userId, changes: [], attributes, at: later } };
    const state = [created, updated].reduce<UserState>(
      userDecider.evolve,
      userDecider.initialState,
    );
    expect(state).toMatchObject({ status: 'present', createdAt: at, lastModifiedAt: later });
  });
});
