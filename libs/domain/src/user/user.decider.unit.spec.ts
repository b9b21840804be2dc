import { deciderSpec } from '#testing/given-when-then.js';
import { userDecider } from './user.decider.js';
import type { UserEvent } from './user.events.js';

const at = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T11:00:00.000Z';
const userId = '2819c223-7f76-453a-919d-413861904646';
const attributes = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen@example.com', active: true };
const created: UserEvent = { type: 'UserCreated', data: { userId, attributes, at } };
const spec = deciderSpec(userDecider);

describe('user decider', () => {
  it('creates a user that does not exist yet', () => {
    spec.given([]).when({ type: 'CreateUser', userId, attributes, at }).then([created]);
  });

  it('refuses to create the same id twice', () => {
    spec.given([created]).when({ type: 'CreateUser', userId, attributes, at }).thenThrows({ status: 409, scimType: 'uniqueness' });
  });

  it('refuses a user without userName', () => {
    spec.given([]).when({ type: 'CreateUser', userId, attributes: { active: true }, at }).thenThrows({ status: 400, scimType: 'invalidValue', detail: /userName/ });
  });

  it('records an update with its changes and the resulting attributes', () => {
    const after = { ...attributes, active: false };
    const changes = [{ path: ['active'], before: true, after: false }];
    spec
      .given([created])
      .when({ type: 'UpdateUser', userId, attributes: after, changes, at: later })
      .then([{ type: 'UserUpdated', data: { userId, changes, attributes: after, at: later } }]);
  });

  it('records nothing for an update that changes nothing', () => {
    spec.given([created]).when({ type: 'UpdateUser', userId, attributes, changes: [], at: later }).then([]);
  });

  it('deletes a present user, remembering its userName for the key release', () => {
    spec
      .given([created])
      .when({ type: 'DeleteUser', userId, at: later })
      .then([{ type: 'UserDeleted', data: { userId, userName: 'bjensen@example.com', at: later } }]);
  });

  it.each([
    ['never created', [] as UserEvent[]],
    ['already deleted', [created, { type: 'UserDeleted', data: { userId, userName: 'bjensen@example.com', at: later } } as UserEvent]],
  ])('answers 404 to deleting a user %s', (_, history) => {
    spec.given(history).when({ type: 'DeleteUser', userId, at: later }).thenThrows({ status: 404 });
  });

  it('keeps createdAt and moves lastModifiedAt on update', () => {
    const state = [created, { type: 'UserUpdated', data: { userId, changes: [], attributes, at: later } } as UserEvent].reduce(
      userDecider.evolve,
      userDecider.initialState,
    );
    expect(state).toMatchObject({ status: 'present', createdAt: at, lastModifiedAt: later });
  });
});
