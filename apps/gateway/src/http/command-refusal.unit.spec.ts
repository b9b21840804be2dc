import { ContentionError, RevisionPreconditionFailedError, VersionConflictError } from '#event-store/event-store.errors.js';
import { commandRefusal } from './command-refusal.js';

describe("commandRefusal: the command loop's refusals as SCIM errors", () => {
  it('a stale If-Match is 412, naming the version the resource is at and the one given', () => {
    expect(commandRefusal(new RevisionPreconditionFailedError('user-1', 3n, 5n))?.toJSON()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '412',
      detail: 'resource is at version W/"5", not the W/"3" given in If-Match',
    });
    expect(commandRefusal(new RevisionPreconditionFailedError('user-1', 0n, null))?.detail).toBe('resource is at version W/"none", not the W/"0" given in If-Match');
  });

  it('contention that outlasted every retry is 503, without a scimType', () => {
    expect(commandRefusal(new ContentionError('group-7'))?.toJSON()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '503',
      detail: 'too many concurrent changes to group-7; retry the request',
    });
  });

  it('leaves everything else alone (a version conflict is retried inside the loop and never reaches a client)', () => {
    expect(commandRefusal(new VersionConflictError('user-1', '3', '4'))).toBeUndefined();
    expect(commandRefusal(new Error('boom'))).toBeUndefined();
  });
});
