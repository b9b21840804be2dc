import { describe, expect, it } from '@jest/globals';
import { ANY, NO_STREAM, START as VENDOR_START } from '@eventstore/db-client';
import { START } from '../event-store.port.js';
import {
  describeCurrentRevision,
  describeExpectedRevision,
  firstRevisionOf,
  satisfiesExpectedRevision,
  toGlobalPosition,
  toReadPosition,
  toVendorExpectedRevision,
} from './eventstoredb.positions.js';

describe('positions between the port and EventStoreDB', () => {
  it('maps commit and prepare one to one, keeping 64-bit values exact', () => {
    const big = 18_446_744_073_709_551_000n; // beyond Number.MAX_SAFE_INTEGER
    expect(toGlobalPosition({ commit: big, prepare: big - 7n })).toEqual({ commit: big, prepare: big - 7n });
    expect(toReadPosition({ commit: big, prepare: big - 7n })).toEqual({ commit: big, prepare: big - 7n });
  });

  it('reads "after START" from EventStoreDB\'s start', () => {
    expect(toReadPosition(START)).toBe(VENDOR_START);
    expect(toReadPosition({ commit: 0n, prepare: 0n })).toEqual({ commit: 0n, prepare: 0n });
  });
});

describe('expected revisions', () => {
  it.each([
    ['no-stream', NO_STREAM, 'no-stream', 0n],
    ['any', ANY, 'any', null],
    [4n, 4n, '4', 5n],
  ] as const)('%s -> %s, described as %s, first new revision %s', (ours, vendor, described, first) => {
    expect(toVendorExpectedRevision(ours)).toBe(vendor);
    expect(describeExpectedRevision(ours)).toBe(described);
    expect(firstRevisionOf(ours)).toBe(first);
  });

  it.each([
    ['no-stream', null, true],
    ['no-stream', 0n, false],
    [0n, 0n, true],
    [0n, null, false],
    [0n, 1n, false],
    ['any', null, true],
    ['any', 9n, true],
  ] as const)('expected %s is satisfied by a stream at %s: %s', (expected, current, satisfied) => {
    expect(satisfiesExpectedRevision(expected, current)).toBe(satisfied);
  });

  it('describes the current revision the server reports', () => {
    expect(describeCurrentRevision(NO_STREAM)).toBe('no-stream');
    expect(describeCurrentRevision(null)).toBe('no-stream');
    expect(describeCurrentRevision(12n)).toBe('12');
  });
});
