import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurnOfTheLoop } from 'node:timers/promises';
import { streamNames } from '#domain/stream-names.js';
import { userDecider } from '#domain/user/user.decider.js';
import { decision, runCommand } from './command.loop.js';
import { ContentionError } from './event-store.errors.js';
import { testEventMetadata } from '#testing/event-metadata.js';
import type { EventStore } from './event-store.port.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb.event-store.js';
import { InMemoryEventStoreDbServer } from './eventstoredb/eventstoredb-fake.test-support.js';
import { StreamTurns } from './stream-turns.js';

// Concurrent commands on one stream (docs/decisions.md "Contention is not a conflict"): with turns, each loser of a
// race waits for the others that lost it and then wins on fresh reads, so a small attempt budget is enough.
const TENANT = 'acme';
const AT = '2025-01-01T00:00:00.000Z';
const METADATA = testEventMetadata(TENANT, AT);
const USER_ID = '11111111-1111-4111-8111-111111111111';
const userStream = streamNames.user(TENANT, USER_ID);
const WRITERS = 20;

describe('StreamTurns', () => {
  it('gives one stream to one holder at a time, in the order asked, and forgets a stream nobody waits for', async () => {
    const turns = new StreamTurns();
    const order: string[] = [];
    const releaseFirst = await turns.take('s');
    const second = turns.take('s').then((release) => {
      order.push('second');
      release();
    });
    const other = turns.take('t').then((release) => {
      order.push('other stream');
      release();
    });
    await other;
    expect(order).toEqual(['other stream']);
    order.push('first done');
    releaseFirst();
    await second;
    expect(order).toEqual(['other stream', 'first done', 'second']);
    expect(turns.size).toBe(0);
  });
});

describe('runCommand with turns: concurrent writers of one stream', () => {
  let store: EventStore;

  beforeEach(async () => {
    const inner = new EventStoreDbEventStore(new InMemoryEventStoreDbServer().connect(), { log: () => undefined });
    // Every read and append takes a turn of the event loop, as a real store's round trip does, so writers interleave.
    store = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await nextTurnOfTheLoop();
          return value.apply(target, args);
        };
      },
    });
    await runCommand(store, METADATA, async () => [decision(userStream, userDecider, { type: 'CreateUser', userId: USER_ID, attributes: { userName: 'ann' }, at: AT })]);
  });
  afterEach(async () => {
    await store.close();
  });

  const retitle = (title: string, turns?: StreamTurns) =>
    runCommand(
      store,
      METADATA,
      async (loader) => {
        await loader.load(userStream, userDecider);
        return [decision(userStream, userDecider, { type: 'ReplaceUser', userId: USER_ID, attributes: { userName: 'ann', title }, at: AT })];
      },
      { maxAttempts: 2, turns },
    );

  it('without turns, two attempts are not enough for most of them', async () => {
    const results = await Promise.allSettled(Array.from({ length: WRITERS }, (_, index) => retitle(`t${index}`)));
    const failures = results.filter((result) => result.status === 'rejected');
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect((failure as PromiseRejectedResult).reason).toBeInstanceOf(ContentionError);
  });

  it('with turns, every one of them succeeds within two attempts, and each is recorded once', async () => {
    const turns = new StreamTurns();
    const results = await Promise.allSettled(Array.from({ length: WRITERS }, (_, index) => retitle(`t${index}`, turns)));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const events = await store.readStream(userStream);
    expect(events).toHaveLength(1 + WRITERS);
    expect(new Set(events.slice(1).map((event) => (event.data as { attributes: { title: string } }).attributes.title)).size).toBe(WRITERS);
    expect(turns.size).toBe(0);
  });
});
