import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuplicateEventIdError, VersionConflictError } from './event-store.errors.js';
import {
  comparePositions,
  formatPosition,
  START,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type GlobalPosition,
  type NewEvent,
  type RecordedEvent,
  type StreamAppend,
  type StreamCondition,
} from './event-store.port.js';

/** What one backend gives the contract: a store over an empty database of its own. */
export interface EventStoreContractSubject {
  readonly store: EventStore;
  /** Another store over the same data, as another process would open it; cleanup() closes it. */
  openAnotherStore(): Promise<EventStore>;
  /** Closes every store and removes the database. */
  cleanup(): Promise<void>;
}

export interface EventStoreContractOptions {
  /**
   * Whether an event id already stored is refused in any other append. Postgres: yes (a unique key).
   * EventStoreDB: only retries of the same append are recognised, so its adapter passes false.
   */
  readonly rejectsReusedEventIds: boolean;
  /**
   * Whether an append's conditions are checked in the same transaction as its writes, so two appends that each
   * depend on the stream the other writes can never both commit. Postgres: yes. EventStoreDB: no, it reads them
   * just before writing and a window remains (see its adapter), so it passes false.
   */
  readonly checksConditionsAtCommit: boolean;
  /** The concurrency test: how many appenders, and how many appends each (defaults 16 and 50). */
  readonly concurrentAppenders?: number;
  readonly appendsPerAppender?: number;
}

const METADATA: EventMetadata = {
  tenantId: 'contract-tenant',
  tokenId: 'token-1',
  requestId: 'request-1',
  correlationId: null,
  sourceIp: '203.0.113.7',
  userAgent: 'contract-test/1.0',
  occurredAt: '2025-01-02T03:04:05.678Z',
};

function newEvent(type = 'ThingHappened', data: unknown = { note: 'something' }): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: METADATA };
}

/** Every test writes under a prefix of its own, so tests sharing one store never see each other's streams. */
function uniquePrefix(): string {
  return `c${randomUUID().slice(0, 8)}.`;
}

function ids(events: readonly { id: string }[]): string[] {
  return events.map((event) => event.id);
}

function expectStrictlyIncreasing(positions: readonly GlobalPosition[], after: GlobalPosition = START): void {
  let previous = after;
  for (const position of positions) {
    expect(comparePositions(position, previous)).toBe(1);
    previous = position;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until the global log has caught up with `position`. A store may make an append readable in the global log
 * a little after the append returned: Postgres holds it back while any older transaction of the whole server
 * still runs (another test database's included). readStream never waits; readAll and headPosition may.
 */
export async function waitUntilReadable(store: EventStore, position: GlobalPosition, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await store.headPosition();
    if (comparePositions(head, position) >= 0) return;
    if (Date.now() > deadline) {
      throw new Error(`the global log did not reach ${formatPosition(position)} within ${timeoutMs} ms (head ${formatPosition(head)})`);
    }
    await store.waitForEvents(head, 50);
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * The behaviour every EventStore adapter must show (DESIGN.md "Event store": one port, one contract suite).
 * Call it from an adapter's *.int.spec.ts once per backend; it shares one store across its tests.
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<EventStoreContractSubject>,
  options: EventStoreContractOptions,
): void {
  describe(`EventStore contract on ${name}`, () => {
    let subject: EventStoreContractSubject;
    let store: EventStore;

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    }, 120_000);

    afterAll(async () => {
      await subject?.cleanup();
    }, 60_000);

    const readAllUnder = (prefix: string, after: GlobalPosition, maxCount = 10_000, eventTypes?: readonly string[]) =>
      store.readAll({ after, maxCount, streamPrefixes: [prefix], eventTypes });

    describe('one stream', () => {
      it('appends and reads back events with their revisions, positions, data and metadata', async () => {
        const stream = `${uniquePrefix()}user-1`;
        const first = newEvent('UserCreated', { userName: 'ann', emails: [{ value: 'ann@example.com', primary: true }] });
        const second = newEvent('UserRenamed', { userName: 'anne' });
        const result = await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [first, second] });
        expect(result.nextRevision).toBe(1n);

        const read = await store.readStream(stream);
        expect(read).toHaveLength(2);
        expect(read.map((event) => event.revision)).toEqual([0n, 1n]);
        expect(read[0]).toMatchObject({ ...first, streamName: stream });
        expect(read[1]).toMatchObject({ ...second, streamName: stream });
        expect(read[1].position).toEqual(result.position);
        expectStrictlyIncreasing(read.map((event) => event.position));
        for (const event of read) expect(event.recordedAt).toBeInstanceOf(Date);
      });

      it('reads from a revision on, and reads a missing stream as empty', async () => {
        const stream = `${uniquePrefix()}user-2`;
        const events = [newEvent(), newEvent(), newEvent()];
        await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events });
        expect(ids(await store.readStream(stream, 1n))).toEqual(ids(events.slice(1)));
        expect(await store.readStream(stream, 3n)).toEqual([]);
        expect(await store.readStream(`${uniquePrefix()}never-written`)).toEqual([]);
      });

      it('reads several streams in one call, each from its own revision, in the order asked, exactly as readStream does', async () => {
        const [a, b, missing] = [`${uniquePrefix()}multi-a`, `${uniquePrefix()}multi-b`, `${uniquePrefix()}multi-missing`];
        const aEvents = [newEvent(), newEvent(), newEvent()];
        const bEvents = [newEvent(), newEvent()];
        await store.appendToStreams([
          { streamName: b, expectedRevision: 'no-stream', events: bEvents },
          { streamName: a, expectedRevision: 'no-stream', events: aEvents },
        ]);
        const reads = [
          { streamName: a, fromRevision: 1n },
          { streamName: missing },
          { streamName: b },
          { streamName: a, fromRevision: 3n },
        ];
        const results = await store.readStreams(reads);
        expect(results.map(ids)).toEqual([ids(aEvents.slice(1)), [], ids(bEvents), []]);
        for (const [index, read] of reads.entries()) {
          expect(results[index]).toEqual(await store.readStream(read.streamName, read.fromRevision));
        }
        expect(await store.readStreams([])).toEqual([]);
      });

      it('round-trips any JSON data and full metadata; revisions and positions are bigints', async () => {
        const stream = `${uniquePrefix()}data`;
        const shapes: unknown[] = [
          { nested: { deep: [1, 2.5, -3e10, true, false, null] }, unicode: 'Zoë 日本 🎉 "quoted" \\ back\\slash', empty: {} },
          ['an', 'array', 42],
          'just a string',
          12345,
          null,
        ];
        const metadata: EventMetadata = { ...METADATA, tokenId: null, requestId: null, sourceIp: null, userAgent: null };
        // The W3C trace context of the request (issue 14), on some events and not on others, as a store holds them.
        const traced: EventMetadata = { ...metadata, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc,other=1' };
        const events = shapes.map((data, index) => ({ ...newEvent(`Shape${index}`, data), metadata: index % 2 === 0 ? metadata : traced, schemaVersion: index + 1 }));
        await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events });
        const read = await store.readStream(stream);
        expect(read.map((event) => event.data)).toEqual(shapes);
        expect(read.map((event) => event.metadata)).toEqual(events.map((event) => event.metadata));
        expect(read.filter((event) => 'traceparent' in event.metadata)).toHaveLength(2);
        expect(read.map((event) => event.schemaVersion)).toEqual([1, 2, 3, 4, 5]);
        for (const event of read) {
          expect(typeof event.revision).toBe('bigint');
          expect(typeof event.position.commit).toBe('bigint');
          expect(typeof event.position.prepare).toBe('bigint');
        }
      });
    });

    describe('expected revision', () => {
      const streamAt = async (revision: bigint) => {
        const stream = `${uniquePrefix()}stream`;
        const events = Array.from({ length: Number(revision) + 1 }, () => newEvent());
        await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events });
        return stream;
      };

      it('no-stream: refuses a stream that exists', async () => {
        const stream = await streamAt(1n);
        const attempt = store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [newEvent()] });
        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        await expect(attempt).rejects.toMatchObject({ streamName: stream, expected: 'no-stream' });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('exact: appends at the current revision and refuses one behind or ahead', async () => {
        const stream = await streamAt(2n);
        for (const wrong of [1n, 3n, 7n, 0n]) {
          const attempt = store.appendToStream({ streamName: stream, expectedRevision: wrong, events: [newEvent()] });
          await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
          await expect(attempt).rejects.toMatchObject({ streamName: stream, expected: wrong.toString() });
        }
        expect(await store.readStream(stream)).toHaveLength(3);
        const result = await store.appendToStream({ streamName: stream, expectedRevision: 2n, events: [newEvent(), newEvent()] });
        expect(result.nextRevision).toBe(4n);
      });

      it('exact: refuses a stream that does not exist', async () => {
        const stream = `${uniquePrefix()}missing`;
        await expect(store.appendToStream({ streamName: stream, expectedRevision: 0n, events: [newEvent()] })).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('any: creates a stream or appends to it', async () => {
        const stream = `${uniquePrefix()}any`;
        expect((await store.appendToStream({ streamName: stream, expectedRevision: 'any', events: [newEvent()] })).nextRevision).toBe(0n);
        expect((await store.appendToStream({ streamName: stream, expectedRevision: 'any', events: [newEvent(), newEvent()] })).nextRevision).toBe(
          2n,
        );
      });

      it('a refused append leaves nothing in the global log', async () => {
        const prefix = uniquePrefix();
        const stream = `${prefix}stream`;
        const written = await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [newEvent()] });
        await expect(store.appendToStream({ streamName: stream, expectedRevision: 5n, events: [newEvent()] })).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        // A later append, once readable, shows the log as it is: the refused events would sit before it.
        const sentinel = newEvent();
        const last = await store.appendToStream({ streamName: stream, expectedRevision: 0n, events: [sentinel] });
        await waitUntilReadable(store, last.position);
        expect(ids(await readAllUnder(prefix, written.position))).toEqual([sentinel.id]);
        expect(await store.headPosition()).toEqual(last.position);
      });
    });

    describe('appendToStreams', () => {
      it('appends to several streams at once; results and positions follow the order of the appends', async () => {
        const prefix = uniquePrefix();
        const existing = `${prefix}group-1`;
        await store.appendToStream({ streamName: existing, expectedRevision: 'no-stream', events: [newEvent()] });
        const appends: StreamAppend[] = [
          { streamName: `${prefix}reservation-ann`, expectedRevision: 'no-stream', events: [newEvent('KeyReserved')] },
          { streamName: existing, expectedRevision: 0n, events: [newEvent('MembersAdded'), newEvent('MembersAdded')] },
          { streamName: `${prefix}user-1`, expectedRevision: 'any', events: [newEvent('UserCreated')] },
        ];
        const results = await store.appendToStreams(appends);
        expect(results.map((result) => result.nextRevision)).toEqual([0n, 2n, 0n]);
        expectStrictlyIncreasing(results.map((result) => result.position));
        for (const [index, append] of appends.entries()) {
          const read = await store.readStream(append.streamName);
          expect(read[read.length - 1].position).toEqual(results[index].position);
        }
      });

      it.each([
        ['first', 0],
        ['last', 2],
      ])('is all or nothing: a conflict on the %s stream makes nothing visible in any stream', async (_where, conflicting) => {
        const prefix = uniquePrefix();
        const taken = `${prefix}reservation-taken`;
        const reserved = await store.appendToStream({ streamName: taken, expectedRevision: 'no-stream', events: [newEvent('KeyReserved')] });
        const appends: StreamAppend[] = [
          { streamName: `${prefix}a`, expectedRevision: 'no-stream', events: [newEvent()] },
          { streamName: `${prefix}b`, expectedRevision: 'any', events: [newEvent(), newEvent()] },
          { streamName: `${prefix}c`, expectedRevision: 'no-stream', events: [newEvent()] },
        ];
        appends[conflicting] = { streamName: taken, expectedRevision: 'no-stream', events: [newEvent('KeyReserved')] };
        const attempt = store.appendToStreams(appends);
        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        await expect(attempt).rejects.toMatchObject({ streamName: taken });
        for (const append of appends) {
          expect(await store.readStream(append.streamName)).toHaveLength(append.streamName === taken ? 1 : 0);
        }
        const sentinel = newEvent();
        const last = await store.appendToStream({ streamName: `${prefix}sentinel`, expectedRevision: 'no-stream', events: [sentinel] });
        await waitUntilReadable(store, last.position);
        expect(ids(await readAllUnder(prefix, reserved.position))).toEqual([sentinel.id]);
      });
    });

    describe('appendToStreams with conditions', () => {
      /** A user stream at revision 1 and a group stream at revision 0: adding the user to the group depends on it. */
      const userAndGroup = async () => {
        const prefix = uniquePrefix();
        const user = `${prefix}user-1`;
        const group = `${prefix}group-1`;
        await store.appendToStreams([
          { streamName: user, expectedRevision: 'no-stream', events: [newEvent('UserCreated'), newEvent('UserReplaced')] },
          { streamName: group, expectedRevision: 'no-stream', events: [newEvent('GroupCreated')] },
        ]);
        return { prefix, user, group, userEvents: await store.readStream(user) };
      };
      const addMember = (group: string, expectedRevision: bigint = 0n): StreamAppend => ({
        streamName: group,
        expectedRevision,
        events: [newEvent('GroupMembersAdded')],
      });

      it('a condition that holds lets the append commit, writes nothing to its stream and adds no result', async () => {
        const { prefix, user, group, userEvents } = await userAndGroup();
        const results = await store.appendToStreams([addMember(group)], [{ streamName: user, revision: 1n }]);
        expect(results.map((result) => result.nextRevision)).toEqual([1n]);
        const groupEvents = await store.readStream(group);
        expect(groupEvents.map((event) => event.type)).toEqual(['GroupCreated', 'GroupMembersAdded']);
        expect(groupEvents[1].position).toEqual(results[0].position);
        expect(await store.readStream(user)).toEqual(userEvents);

        // Several appends and several conditions: one result per append, in their order.
        const other = `${prefix}user-2`;
        await store.appendToStream({ streamName: other, expectedRevision: 'no-stream', events: [newEvent('UserCreated')] });
        const more = await store.appendToStreams(
          [addMember(group, 1n), { streamName: `${prefix}reservation`, expectedRevision: 'no-stream', events: [newEvent('KeyReserved')] }],
          [
            { streamName: other, revision: 0n },
            { streamName: user, revision: 1n },
          ],
        );
        expect(more.map((result) => result.nextRevision)).toEqual([2n, 0n]);
        expect(await store.readStream(user)).toEqual(userEvents);
        expect(await store.readStream(other)).toHaveLength(1);
        // The condition stream is where it was: its next writer still expects revision 1.
        expect((await store.appendToStream({ streamName: user, expectedRevision: 1n, events: [newEvent('UserDeleted')] })).nextRevision).toBe(2n);
      });

      it.each([
        ['behind', 0n],
        ['ahead', 2n],
        ['far ahead', 9n],
      ])('a condition stream at another revision (condition %s) fails the whole append, naming it; nothing is stored', async (_where, revision) => {
        const { prefix, user, group, userEvents } = await userAndGroup();
        const reservation = `${prefix}reservation`;
        const before = await store.appendToStream({ streamName: `${prefix}before`, expectedRevision: 'no-stream', events: [newEvent()] });
        const other = `${prefix}user-2`;
        await store.appendToStream({ streamName: other, expectedRevision: 'no-stream', events: [newEvent('UserCreated')] });
        const attempt = store.appendToStreams(
          [{ streamName: reservation, expectedRevision: 'no-stream', events: [newEvent('KeyReserved')] }, addMember(group)],
          [
            { streamName: other, revision: 0n },
            { streamName: user, revision },
          ],
        );
        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        await expect(attempt).rejects.toMatchObject({ streamName: user, expected: revision.toString(), actual: '1' });
        expect(await store.readStream(reservation)).toEqual([]);
        expect(await store.readStream(group)).toHaveLength(1);
        expect(await store.readStream(user)).toEqual(userEvents);
        // Nothing of it in the global log either: a later append, once readable, is the only event after `before`.
        const sentinel = newEvent();
        const last = await store.appendToStream({ streamName: `${prefix}sentinel`, expectedRevision: 'no-stream', events: [sentinel] });
        await waitUntilReadable(store, last.position);
        expect(ids(await readAllUnder(prefix, before.position))).toEqual([ids(await store.readStream(other))[0], sentinel.id]);
      });

      it('a condition on a stream that does not exist fails the same way', async () => {
        const { prefix, group } = await userAndGroup();
        const missing = `${prefix}user-missing`;
        const attempt = store.appendToStreams([addMember(group)], [{ streamName: missing, revision: 0n }]);
        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        await expect(attempt).rejects.toMatchObject({ streamName: missing, expected: '0', actual: 'no-stream' });
        expect(await store.readStream(group)).toHaveLength(1);
        expect(await store.readStream(missing)).toEqual([]);
        // The failed condition created nothing: the stream can still be created from scratch.
        expect((await store.appendToStream({ streamName: missing, expectedRevision: 'no-stream', events: [newEvent()] })).nextRevision).toBe(0n);
      });

      it('with no appends, returns [] and checks nothing', async () => {
        expect(await store.appendToStreams([], [{ streamName: `${uniquePrefix()}missing`, revision: 3n }])).toEqual([]);
        expect(await store.appendToStreams([], [])).toEqual([]);
      });

      it('refuses conditions on an appended stream, a stream named twice or a negative revision, and stores nothing', async () => {
        const { prefix, user, group } = await userAndGroup();
        const other = `${prefix}user-2`;
        const refused: [readonly StreamCondition[], typeof Error][] = [
          [[{ streamName: group, revision: 0n }], Error],
          [
            [
              { streamName: user, revision: 1n },
              { streamName: user, revision: 1n },
            ],
            Error,
          ],
          [[{ streamName: user, revision: -1n }], RangeError],
        ];
        for (const [conditions, errorType] of refused) {
          const attempt = store.appendToStreams([addMember(group), { streamName: other, expectedRevision: 'any', events: [newEvent()] }], conditions);
          await expect(attempt).rejects.toThrow(errorType);
          await expect(attempt).rejects.not.toBeInstanceOf(VersionConflictError);
        }
        expect(await store.readStream(group)).toHaveLength(1);
        expect(await store.readStream(other)).toEqual([]);
      });

      it('a retry of an append with conditions that succeeded returns its first results, even once a condition stream moved on', async () => {
        const { user, group } = await userAndGroup();
        const appends = [addMember(group)];
        const conditions: StreamCondition[] = [{ streamName: user, revision: 1n }];
        const first = await store.appendToStreams(appends, conditions);
        await expect(store.appendToStreams(appends, conditions)).resolves.toEqual(first);
        // It committed while the condition held; that the user changed since does not undo it.
        await store.appendToStream({ streamName: user, expectedRevision: 1n, events: [newEvent('UserDeleted')] });
        await expect(store.appendToStreams(appends, conditions)).resolves.toEqual(first);
        expect(await store.readStream(group)).toHaveLength(2);
      });

      it('racing an append to its condition stream: either that append commits first and ours fails, or ours commits and theirs still succeeds', async () => {
        const other = await subject.openAnotherStore();
        const outcomes = { oursFirst: 0, theirsFirst: 0 };
        for (let round = 0; round < 10; round++) {
          const { user, group, userEvents } = await userAndGroup();
          const deleted = newEvent('UserDeleted');
          const [ours, theirs] = await Promise.allSettled([
            store.appendToStreams([addMember(group)], [{ streamName: user, revision: 1n }]),
            other.appendToStream({ streamName: user, expectedRevision: 1n, events: [deleted] }),
          ]);
          // A condition never moves its stream: the append to it succeeds whichever commits first.
          expect(theirs).toMatchObject({ status: 'fulfilled', value: { nextRevision: 2n } });
          expect(ids(await store.readStream(user))).toEqual([...ids(userEvents), deleted.id]);
          if (ours.status === 'fulfilled') {
            outcomes.oursFirst++;
            expect(ours.value.map((result) => result.nextRevision)).toEqual([1n]);
            expect(await store.readStream(group)).toHaveLength(2);
          } else {
            outcomes.theirsFirst++;
            expect(ours.reason).toBeInstanceOf(VersionConflictError);
            expect(ours.reason).toMatchObject({ streamName: user, expected: '1', actual: '2' });
            expect(await store.readStream(group)).toHaveLength(1);
          }
        }
        console.log(`contract on ${name}: a condition raced an append to its stream: ours first ${outcomes.oursFirst}, theirs first ${outcomes.theirsFirst}`);
      });

      if (options.checksConditionsAtCommit) {
        it('two appends that each depend on the stream the other writes never both commit', async () => {
          const other = await subject.openAnotherStore();
          for (let round = 0; round < 6; round++) {
            const prefix = uniquePrefix();
            const [a, b] = [`${prefix}a`, `${prefix}b`];
            await store.appendToStreams([
              { streamName: a, expectedRevision: 'no-stream', events: [newEvent()] },
              { streamName: b, expectedRevision: 'no-stream', events: [newEvent()] },
            ]);
            const outcomes = await Promise.allSettled([
              store.appendToStreams([{ streamName: a, expectedRevision: 0n, events: [newEvent()] }], [{ streamName: b, revision: 0n }]),
              other.appendToStreams([{ streamName: b, expectedRevision: 0n, events: [newEvent()] }], [{ streamName: a, revision: 0n }]),
            ]);
            // Serially, whichever commits first moves the stream the other depends on. (Crossing, they may deadlock:
            // the server aborts one, which is a VersionConflictError too, and the other commits.)
            expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
            const refused = outcomes.find((outcome) => outcome.status === 'rejected');
            expect(refused?.reason).toBeInstanceOf(VersionConflictError);
            expect((await store.readStream(a)).length + (await store.readStream(b)).length).toBe(3);
          }
        }, 60_000);
      }
    });

    describe('readAll', () => {
      it('returns events in position order, strictly after the position given', async () => {
        const prefix = uniquePrefix();
        const head = await store.headPosition();
        const appended: NewEvent[] = [];
        let last: AppendResult | undefined;
        for (const stream of ['x', 'y', 'x', 'z']) {
          const events = [newEvent(), newEvent()];
          last = await store.appendToStream({ streamName: `${prefix}${stream}`, expectedRevision: 'any', events });
          appended.push(...events);
        }
        await waitUntilReadable(store, last!.position);
        const all = await readAllUnder(prefix, head);
        expect(ids(all)).toEqual(ids(appended));
        expectStrictlyIncreasing(all.map((event) => event.position), head);
        expect(ids(await readAllUnder(prefix, all[2].position))).toEqual(ids(appended.slice(3)));
        expect(await readAllUnder(prefix, all[all.length - 1].position)).toEqual([]);
        const fromStart = await store.readAll({ after: START, maxCount: 100_000, streamPrefixes: [prefix] });
        expect(ids(fromStart)).toEqual(ids(appended));
      });

      it('returns at most maxCount events, and continues from the last one', async () => {
        const prefix = uniquePrefix();
        const head = await store.headPosition();
        const events = Array.from({ length: 5 }, () => newEvent());
        await waitUntilReadable(store, (await store.appendToStream({ streamName: `${prefix}s`, expectedRevision: 'no-stream', events })).position);
        const pages: RecordedEvent[][] = [];
        let after = head;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 2, streamPrefixes: [prefix] });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(2);
          pages.push(page);
          after = page[page.length - 1].position;
        }
        expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
        expect(ids(pages.flat())).toEqual(ids(events));
      });

      it('filters by stream prefix, taking prefixes literally (no wildcards)', async () => {
        const prefix = uniquePrefix();
        const head = await store.headPosition();
        let last = head;
        const write = async (stream: string) => {
          const event = newEvent();
          last = (await store.appendToStream({ streamName: `${prefix}${stream}`, expectedRevision: 'any', events: [event] })).position;
          return event.id;
        };
        const user = await write('user-1');
        const group = await write('group-1');
        const wildcardLookalike = await write('usxr-1');
        const underscore = await write('a_b-1');
        const notUnderscore = await write('axb-1');
        const percent = await write('100%-1');
        const notPercent = await write('1000-1');
        await waitUntilReadable(store, last);
        const read = (prefixes: string[]) =>
          store.readAll({ after: head, maxCount: 100, streamPrefixes: prefixes.map((p) => `${prefix}${p}`) }).then(ids);
        expect(await read(['user-'])).toEqual([user]);
        expect(await read(['user-', 'group-'])).toEqual([user, group]);
        expect(await read(['a_b'])).toEqual([underscore]);
        expect(await read(['100%'])).toEqual([percent]);
        expect(await read(['nothing-'])).toEqual([]);
        expect(await read([''])).toEqual([user, group, wildcardLookalike, underscore, notUnderscore, percent, notPercent]);
      });

      it('filters by event type, alone and with prefixes', async () => {
        const prefix = uniquePrefix();
        const other = uniquePrefix();
        const head = await store.headPosition();
        const created = newEvent('UserCreated');
        const renamed = newEvent('UserRenamed');
        const deleted = newEvent('UserDeleted');
        const elsewhere = newEvent('UserCreated');
        await store.appendToStream({ streamName: `${prefix}user-1`, expectedRevision: 'no-stream', events: [created, renamed, deleted] });
        await waitUntilReadable(store, (await store.appendToStream({ streamName: `${other}user-1`, expectedRevision: 'no-stream', events: [elsewhere] })).position);
        const byType = await store.readAll({ after: head, maxCount: 100, eventTypes: ['UserCreated', 'UserDeleted'] });
        expect(ids(byType)).toEqual([created.id, deleted.id, elsewhere.id]);
        expect(ids(await readAllUnder(prefix, head, 100, ['UserCreated', 'UserDeleted']))).toEqual([created.id, deleted.id]);
        expect(ids(await readAllUnder(prefix, head, 100, ['NoSuchType']))).toEqual([]);
      });
    });

    describe('headPosition', () => {
      it('is the position of the last event appended', async () => {
        const result = await store.appendToStream({ streamName: `${uniquePrefix()}s`, expectedRevision: 'no-stream', events: [newEvent(), newEvent()] });
        await waitUntilReadable(store, result.position);
        expect(await store.headPosition()).toEqual(result.position);
        const results = await store.appendToStreams([
          { streamName: `${uniquePrefix()}a`, expectedRevision: 'no-stream', events: [newEvent()] },
          { streamName: `${uniquePrefix()}b`, expectedRevision: 'no-stream', events: [newEvent()] },
        ]);
        await waitUntilReadable(store, results[1].position);
        expect(await store.headPosition()).toEqual(results[1].position);
      });

      it('ping answers', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('event ids', () => {
      it('a retry of an append that succeeded returns its first result and stores nothing twice', async () => {
        const stream = `${uniquePrefix()}user-1`;
        await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [newEvent()] });
        const retried: StreamAppend = { streamName: stream, expectedRevision: 0n, events: [newEvent(), newEvent()] };
        const first = await store.appendToStream(retried);
        await expect(store.appendToStream(retried)).resolves.toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('a retry of a multi-stream append that succeeded returns its first results', async () => {
        const prefix = uniquePrefix();
        const appends: StreamAppend[] = [
          { streamName: `${prefix}reservation`, expectedRevision: 'no-stream', events: [newEvent('KeyReserved')] },
          { streamName: `${prefix}user`, expectedRevision: 'no-stream', events: [newEvent('UserCreated')] },
        ];
        const first = await store.appendToStreams(appends);
        await expect(store.appendToStreams(appends)).resolves.toEqual(first);
        expect(await store.readStream(`${prefix}user`)).toHaveLength(1);
      });

      it('an append whose stream moved on, with ids that were never stored, is still a conflict', async () => {
        const stream = `${uniquePrefix()}s`;
        await store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [newEvent(), newEvent()] });
        await expect(store.appendToStream({ streamName: stream, expectedRevision: 0n, events: [newEvent()] })).rejects.toBeInstanceOf(
          VersionConflictError,
        );
      });

      if (options.rejectsReusedEventIds) {
        it('refuses an event id already stored, in another stream or later in the same one, and stores nothing', async () => {
          const prefix = uniquePrefix();
          const event = newEvent();
          await store.appendToStream({ streamName: `${prefix}a`, expectedRevision: 'no-stream', events: [event] });
          const reuseElsewhere = store.appendToStream({ streamName: `${prefix}b`, expectedRevision: 'any', events: [newEvent(), event] });
          await expect(reuseElsewhere).rejects.toBeInstanceOf(DuplicateEventIdError);
          await expect(reuseElsewhere).rejects.toMatchObject({ streamName: `${prefix}b`, eventIds: [event.id] });
          await expect(store.appendToStream({ streamName: `${prefix}a`, expectedRevision: 0n, events: [event] })).rejects.toBeInstanceOf(
            DuplicateEventIdError,
          );
          expect(ids(await store.readStream(`${prefix}a`))).toEqual([event.id]);
          expect(await store.readStream(`${prefix}b`)).toEqual([]);
        });

        it('refuses one id twice in a single append', async () => {
          const event = newEvent();
          const stream = `${uniquePrefix()}s`;
          await expect(store.appendToStream({ streamName: stream, expectedRevision: 'no-stream', events: [event, event] })).rejects.toBeInstanceOf(
            DuplicateEventIdError,
          );
          expect(await store.readStream(stream)).toEqual([]);
        });
      }
    });

    describe('waitForEvents', () => {
      it('wakes soon after an append', async () => {
        const prefix = uniquePrefix();
        const head = await store.headPosition();
        const waiting = store.waitForEvents(head, 10_000);
        await sleep(50);
        const elapsed = await timed(async () => {
          await store.appendToStream({ streamName: `${prefix}s`, expectedRevision: 'no-stream', events: [newEvent()] });
          await waiting;
        });
        expect(elapsed).toBeLessThan(2_000);
      });

      it('returns at once when there are events after the position already', async () => {
        const before = await store.headPosition();
        await store.appendToStream({ streamName: `${uniquePrefix()}s`, expectedRevision: 'no-stream', events: [newEvent()] });
        expect(await timed(() => store.waitForEvents(before, 10_000))).toBeLessThan(1_000);
      });

      it('otherwise waits until the timeout', async () => {
        const { position: head } = await store.appendToStream({ streamName: `${uniquePrefix()}s`, expectedRevision: 'no-stream', events: [newEvent()] });
        await waitUntilReadable(store, head);
        await sleep(100); // let the append's own notification arrive first: a late one may wake a waiter once
        const elapsed = await timed(() => store.waitForEvents(head, 300));
        expect(elapsed).toBeGreaterThanOrEqual(250);
        expect(elapsed).toBeLessThan(5_000);
      });

      it('returns when the signal aborts', async () => {
        const head = await store.headPosition();
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        expect(await timed(() => store.waitForEvents(head, 10_000, controller.signal))).toBeLessThan(2_000);
        expect(await timed(() => store.waitForEvents(head, 10_000, controller.signal))).toBeLessThan(500);
      });

      it('is woken by an append through another store instance', async () => {
        const other = await subject.openAnotherStore();
        const head = await other.headPosition();
        const waiting = other.waitForEvents(head, 10_000);
        await sleep(100);
        const elapsed = await timed(async () => {
          await store.appendToStream({ streamName: `${uniquePrefix()}s`, expectedRevision: 'no-stream', events: [newEvent()] });
          await waiting;
        });
        expect(elapsed).toBeLessThan(2_000);
      });

      it('returns when its store closes', async () => {
        const other = await subject.openAnotherStore();
        const waiting = other.waitForEvents(await other.headPosition(), 10_000);
        await sleep(50);
        expect(await timed(async () => {
          await other.close();
          await waiting;
        })).toBeLessThan(2_000);
      });

      it('does not call a filtered reader back for events its filter skips', async () => {
        const prefix = uniquePrefix();
        const head = await store.headPosition();
        await waitUntilReadable(store, (await store.appendToStream({ streamName: `${prefix}user-1`, expectedRevision: 'no-stream', events: [newEvent('UserCreated')] })).position);
        let position = head;
        const read = () => store.readAll({ after: position, maxCount: 100, streamPrefixes: [prefix], eventTypes: ['UserCreated'] });
        const [created] = await read();
        position = created.position;
        await waitUntilReadable(store, (await store.appendToStream({ streamName: `${prefix}reservation-1`, expectedRevision: 'no-stream', events: [newEvent('KeyReserved')] })).position);
        // A projection's loop: read, find nothing for it, wait. Were it told "there is more" because of the skipped
        // event, it would spin; a late wake-up from the appends above may cut one wait short, no more.
        let rounds = 0;
        for (const until = performance.now() + 1_200; performance.now() < until; rounds++) {
          expect(await read()).toEqual([]);
          await store.waitForEvents(position, 400);
        }
        expect(rounds).toBeLessThanOrEqual(6);

        const waiting = store.waitForEvents(position, 10_000);
        await sleep(50);
        const elapsed = await timed(async () => {
          await store.appendToStream({ streamName: `${prefix}user-2`, expectedRevision: 'no-stream', events: [newEvent('UserCreated')] });
          await waiting;
        });
        expect(elapsed).toBeLessThan(2_000);
      });
    });

    describe('concurrency', () => {
      it(
        'concurrent appenders and readers: every reader sees every committed event exactly once, in increasing position, and no refused one',
        async () => {
          const appenderCount = options.concurrentAppenders ?? 16;
          const appendsEach = options.appendsPerAppender ?? 50;
          const prefix = uniquePrefix();
          const head = await store.headPosition();
          const acknowledged: string[] = [];
          const refused = new Set<string>();
          const ownStreams: { stream: string; ids: string[] }[] = [];
          let lastAcknowledged = head;
          const acknowledge = (events: readonly NewEvent[], ...results: AppendResult[]) => {
            acknowledged.push(...ids(events));
            for (const { position } of results) if (comparePositions(position, lastAcknowledged) > 0) lastAcknowledged = position;
          };
          // Set once every acknowledged event is readable: an empty read that starts after that means "drained".
          let drained = false;

          const appender = async (index: number) => {
            const own = { stream: `${prefix}own-${index}`, ids: [] as string[] };
            ownStreams.push(own);
            let ownRevision: bigint | 'no-stream' = 'no-stream';
            const ownAppend = (events: NewEvent[]): StreamAppend => ({ streamName: own.stream, expectedRevision: ownRevision, events });
            const advanceOwn = (events: NewEvent[], result: AppendResult) => {
              own.ids.push(...ids(events));
              ownRevision = result.nextRevision;
            };
            for (let step = 0; step < appendsEach; step++) {
              await sleep(Math.random() * 3);
              const shared = `${prefix}shared-${Math.floor(Math.random() * 4)}`;
              const batch = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => newEvent('OwnThing'));
              const roll = Math.random();
              if (roll < 0.5) {
                const result = await store.appendToStream(ownAppend(batch));
                advanceOwn(batch, result);
                acknowledge(batch, result);
              } else if (roll < 0.75) {
                const sharedEvents = [newEvent('SharedThing')];
                acknowledge(sharedEvents, await store.appendToStream({ streamName: shared, expectedRevision: 'any', events: sharedEvents }));
              } else if (roll < 0.9) {
                const sharedEvents = [newEvent('SharedThing')];
                const results = await store.appendToStreams([ownAppend(batch), { streamName: shared, expectedRevision: 'any', events: sharedEvents }]);
                advanceOwn(batch, results[0]);
                acknowledge([...batch, ...sharedEvents], ...results);
              } else {
                // Refused appends roll back transactions mid-flight; none of their events may ever be read.
                const wrong = typeof ownRevision === 'bigint' ? ownRevision + 5n : 3n;
                const sharedEvents = [newEvent('SharedThing')];
                const attempt = store.appendToStreams([
                  { streamName: shared, expectedRevision: 'any', events: sharedEvents },
                  { streamName: own.stream, expectedRevision: wrong, events: batch },
                ]);
                await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
                for (const id of [...ids(sharedEvents), ...ids(batch)]) refused.add(id);
              }
            }
          };

          const reader = async (eventTypes?: readonly string[]) => {
            const seen: RecordedEvent[] = [];
            let position = head;
            for (;;) {
              const drainedBeforeRead = drained;
              const batch = await store.readAll({
                after: position,
                maxCount: 1 + Math.floor(Math.random() * 40),
                streamPrefixes: [prefix],
                eventTypes,
              });
              // Strictly after the last position seen, and increasing: an event "behind" the reader would be lost.
              expectStrictlyIncreasing(batch.map((event) => event.position), position);
              seen.push(...batch);
              if (batch.length > 0) {
                position = batch[batch.length - 1].position;
              } else if (drainedBeforeRead) {
                return seen;
              } else {
                await store.waitForEvents(position, 100);
              }
            }
          };

          const readers = Promise.all([reader(), reader(['SharedThing'])]);
          let appendFailure: unknown = null;
          try {
            await Promise.all(Array.from({ length: appenderCount }, (_, index) => appender(index)));
            await waitUntilReadable(store, lastAcknowledged);
          } catch (error) {
            appendFailure = error;
          }
          drained = true; // also after a failure, so the readers end and the test reports it
          const [seenByAll, seenByShared] = await readers;
          if (appendFailure) throw appendFailure;

          expect(acknowledged.length).toBeGreaterThan(appenderCount * appendsEach * 0.5);
          const seenIds = ids(seenByAll);
          expect(new Set(seenIds).size).toBe(seenIds.length);
          expect([...seenIds].sort()).toEqual([...acknowledged].sort());
          expect(seenIds.filter((id) => refused.has(id))).toEqual([]);

          // The log as it stands now, read in one go, is exactly what the reader saw while it was being written.
          const final = await readAllUnder(prefix, head, 1_000_000);
          expect(ids(final)).toEqual(seenIds);
          expect(ids(seenByShared)).toEqual(ids(final.filter((event) => event.type === 'SharedThing')));

          for (const own of ownStreams) {
            const read = await store.readStream(own.stream);
            expect(ids(read)).toEqual(own.ids);
            expect(read.map((event) => event.revision)).toEqual(read.map((_, index) => BigInt(index)));
          }
          // How often the log's order differs from the order of the prepare part alone: there, a reader ordering
          // by a plain sequence could have skipped events. (Zero on stores that commit one append at a time.)
          let highestPrepare = -1n;
          let committedOutOfSequence = 0;
          for (const event of final) {
            if (event.position.prepare < highestPrepare) committedOutOfSequence++;
            else highestPrepare = event.position.prepare;
          }
          console.log(
            `contract on ${name}: ${acknowledged.length} events acknowledged by ${appenderCount} appenders, ${refused.size} refused, ` +
              `readers saw ${seenByAll.length} and ${seenByShared.length}; ${committedOutOfSequence} committed out of sequence order ` +
              `(last position ${formatPosition(final[final.length - 1].position)})`,
          );
        },
        180_000,
      );
    });
  });
}
