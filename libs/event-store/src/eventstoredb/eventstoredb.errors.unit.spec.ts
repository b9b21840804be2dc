import { describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, VersionConflictError } from '../event-store.errors.js';
import { isStreamNotFound, isTransient, isUnavailable, isWrongExpectedVersion, PartialAppendError, toVersionConflict, translateFailure } from './eventstoredb.errors.js';

const socketError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.5:2113`), { code });

describe('vendor errors become ours', () => {
  it('WrongExpectedVersionError -> VersionConflictError stating the expectation as the caller gave it', () => {
    const vendor = new WrongExpectedVersionError(undefined, { streamName: 't.user-1', expected: 4n, current: 6n });
    expect(isWrongExpectedVersion(vendor)).toBe(true);
    const conflict = toVersionConflict(vendor, { streamName: 't.user-1', expectedRevision: 4n, events: [] });
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(conflict).toMatchObject({ streamName: 't.user-1', expected: '4', actual: '6', cause: vendor });
  });

  it('a conflict on a stream that does not exist, or exists when it should not', () => {
    const missing = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 'no_stream' });
    expect(toVersionConflict(missing, { streamName: 's', expectedRevision: 0n, events: [] })).toMatchObject({ expected: '0', actual: 'no-stream' });
    const exists = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'no_stream', current: 2n });
    expect(toVersionConflict(exists, { streamName: 's', expectedRevision: 'no-stream', events: [] })).toMatchObject({ expected: 'no-stream', actual: '2' });
  });

  it.each([
    ['UnavailableError', new UnavailableError(undefined, 'No connection established'), true],
    ['DeadlineExceededError', new DeadlineExceededError(undefined, 'Deadline exceeded'), true],
    ['CancelledError', new CancelledError(undefined, 'Cancelled'), false],
    ['UnknownError', new UnknownError(undefined, 'Internal'), false],
    ['AccessDeniedError', new AccessDeniedError(undefined, 'Access denied'), false],
    ['ECONNREFUSED', socketError('ECONNREFUSED'), true],
    // What appendToStream lets through when the server-features probe before it fails (seen with client 6.2.1).
    ['a raw gRPC UNAVAILABLE', Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' }), true],
    ['a raw gRPC DEADLINE_EXCEEDED', Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4, details: 'Deadline exceeded' }), true],
    ['gossip discovery giving up', new Error('Failed to discover after 10 attempts.'), false],
  ])('%s is an outage (503 with a log line); transient: %s', (_name, vendor, transient) => {
    expect(isUnavailable(vendor)).toBe(true);
    expect(isTransient(vendor)).toBe(transient);
    const translated = translateFailure(vendor, 'append to t.user-1');
    expect(translated).toBeInstanceOf(EventStoreUnavailableError);
    expect((translated as Error).message).toMatch(/^EventStoreDB unavailable during append to t\.user-1: /);
    expect((translated as Error).cause).toBe(vendor);
  });

  it('NotLeaderError (an election) is an outage worth one more try', () => {
    const notLeader = Object.create(NotLeaderError.prototype, { type: { value: 'not-leader' }, message: { value: 'Leader info available' } });
    expect(isUnavailable(notLeader)).toBe(true);
    expect(isTransient(notLeader)).toBe(true);
  });

  it.each([
    ['a bug of ours', new TypeError('x is undefined')],
    ['an event over the server\'s size limit', new MaxAppendSizeExceededError(undefined, 1024)],
    ['a hard-deleted stream', new StreamDeletedError(undefined, 't.user-1')],
    ['an error with a numeric code that is not gRPC\'s', Object.assign(new Error('odd'), { code: 99 })],
  ])('%s is rethrown unchanged (a 500 with its stack), never disguised', (_name, error) => {
    expect(isUnavailable(error)).toBe(false);
    expect(translateFailure(error, 'x')).toBe(error);
  });

  it('recognises a missing stream', () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 't.user-1'))).toBe(true);
    expect(isStreamNotFound(new UnavailableError())).toBe(false);
  });

  it('leaves our own unavailability alone', () => {
    const ours = new EventStoreUnavailableError('closed');
    expect(translateFailure(ours, 'x')).toBe(ours);
  });
});

describe('PartialAppendError', () => {
  it('is an outage to clients and names what is left for the operator', () => {
    const partial = new PartialAppendError(['t.unique-userName-ann'], ['t.user-1'], 't.user-1 failed');
    expect(partial).toBeInstanceOf(EventStoreUnavailableError);
    expect(partial.message).toContain('still appended: t.unique-userName-ann');
    expect(partial.message).toContain('not appended: t.user-1');
  });
});
