import { describe, expect, it } from '@jest/globals';
import { VersionConflictError } from '../event-store.errors.js';
import type { EventMetadata, NewEvent, RecordedEvent, StreamAppend } from '../event-store.port.js';
import { compensatingAppend, executionOrder, isStoredAppend, precheckAppend } from './eventstoredb.multi-stream-append.js';

const METADATA: EventMetadata = { tenantId: 't', tokenId: null, requestId: null, correlationId: null, sourceIp: null, userAgent: null, occurredAt: '2025-01-01T00:00:00.000Z' };
let counter = 0;
const event = (type = 'E'): NewEvent => ({ id: `00000000-0000-4000-8000-${(++counter).toString().padStart(12, '0')}`, type, schemaVersion: 1, data: {}, metadata: METADATA });
const recorded = (streamName: string, source: NewEvent, revision: bigint): RecordedEvent => ({
  ...source,
  streamName,
  revision,
  position: { commit: 100n + revision, prepare: 100n + revision },
  recordedAt: new Date(0),
});
const plain = (streamName: string, expectedRevision: StreamAppend['expectedRevision'] = 'no-stream'): StreamAppend => ({ streamName, expectedRevision, events: [event()] });
const undoable = (streamName: string): StreamAppend => ({ ...plain(streamName), compensation: [event('Undo')] });
const neverRead = async (): Promise<RecordedEvent[]> => {
  throw new Error('should not read');
};

describe('executionOrder', () => {
  it('writes undoable appends (reservations) first, each group in the caller\'s order', () => {
    const appends = [plain('user'), plain('release-old'), undoable('reserve-a'), undoable('reserve-b')];
    expect(executionOrder(appends)).toEqual([2, 3, 0, 1]);
  });

  it('keeps the caller\'s order when nothing is undoable', () => {
    expect(executionOrder([plain('a'), plain('b'), plain('c')])).toEqual([0, 1, 2]);
  });

  it('treats an empty compensation as none', () => {
    expect(executionOrder([plain('a'), { ...plain('b'), compensation: [] } as StreamAppend])).toEqual([0, 1]);
  });
});

describe('precheckAppend', () => {
  it.each([
    ['no-stream on a missing stream', 'no-stream', null],
    ['an exact revision that holds', 3n, 3n],
    ['any on a missing stream', 'any', null],
    ['any on a long stream', 'any', 40n],
  ] as const)('appends: %s', async (_case, expected, last) => {
    await expect(precheckAppend(plain('s', expected), last, neverRead)).resolves.toEqual({ kind: 'append' });
  });

  it.each([
    ['no-stream on an existing stream', 'no-stream', 0n, 'no-stream', '0'],
    ['a revision behind', 2n, 5n, '2', '5'],
    ['a revision ahead', 7n, 5n, '7', '5'],
    ['a revision on a missing stream', 0n, null, '0', 'no-stream'],
  ] as const)('refuses before writing: %s', async (_case, expected, last, describedExpected, describedActual) => {
    const reads: bigint[] = [];
    const verdict = await precheckAppend(plain('s', expected), last, async (from) => {
      reads.push(from);
      return [recorded('s', event('SomeoneElse'), from)];
    });
    expect(verdict.kind).toBe('conflict');
    const conflict = (verdict as { conflict: VersionConflictError }).conflict;
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(conflict).toMatchObject({ streamName: 's', expected: describedExpected, actual: describedActual });
  });

  it('recognises its own events at the expected revisions as a repeated call, even with events after them', async () => {
    const append: StreamAppend = { streamName: 's', expectedRevision: 1n, events: [event(), event()] };
    const verdict = await precheckAppend(append, 9n, async (from, count) => {
      expect([from, count]).toEqual([2n, 2]);
      return append.events.map((e, index) => recorded('s', e, from + BigInt(index)));
    });
    expect(verdict).toEqual({ kind: 'already-appended', result: { nextRevision: 3n, position: { commit: 103n, prepare: 103n } } });
  });

  it('does not take a compensated call for a repeated one: that call was undone', async () => {
    const append = undoable('key');
    const verdict = await precheckAppend(append, 1n, async (from, count) => {
      expect([from, count]).toEqual([0n, 2]);
      return [recorded('key', append.events[0], 0n), recorded('key', append.compensation![0], 1n)];
    });
    expect(verdict.kind).toBe('conflict');
  });

  it('still recognises an undoable call that was not undone', async () => {
    const append = undoable('key');
    const verdict = await precheckAppend(append, 0n, async () => [recorded('key', append.events[0], 0n)]);
    expect(verdict.kind).toBe('already-appended');
  });

  it('does not read when the stream is too short to hold the events', async () => {
    const append: StreamAppend = { streamName: 's', expectedRevision: 1n, events: [event(), event()] };
    await expect(precheckAppend(append, 2n, neverRead)).resolves.toMatchObject({ kind: 'conflict' });
  });
});

describe('isStoredAppend', () => {
  const append: StreamAppend = { streamName: 's', expectedRevision: 'no-stream', events: [event(), event()] };
  it.each([
    ['the same ids at the same revisions', append.events.map((e, i) => recorded('s', e, BigInt(i))), true],
    ['ids in upper case', append.events.map((e, i) => recorded('s', { ...e, id: e.id.toUpperCase() }, BigInt(i))), true],
    ['one id missing', [recorded('s', append.events[0], 0n)], false],
    ['another id', [recorded('s', append.events[0], 0n), recorded('s', event(), 1n)], false],
    ['another stream', append.events.map((e, i) => recorded('other', e, BigInt(i))), false],
    ['other revisions', append.events.map((e, i) => recorded('s', e, BigInt(i) + 4n)), false],
  ])('%s: %s', (_case, stored, expected) => {
    expect(isStoredAppend(append, 0n, stored)).toBe(expected);
  });
});

describe('compensatingAppend', () => {
  it('expects the revision the append produced and carries the compensation', () => {
    const append = undoable('key');
    expect(compensatingAppend(append, { nextRevision: 4n, position: { commit: 1n, prepare: 1n } })).toEqual({
      streamName: 'key',
      expectedRevision: 4n,
      events: append.compensation,
    });
  });
});
