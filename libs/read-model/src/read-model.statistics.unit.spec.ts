import { describe, expect, it, jest } from '@jest/globals';
import { START, type EventStore, type ReadAllOptions, type RecordedEvent } from '#event-store/event-store.port.js';
import { PlannerStatistics } from './read-model.statistics.js';

/** A log of `size` events that readAll pages through, and a database that records what it is asked. */
function fixture(size: number, largestTableRows = 0) {
  const statements: string[] = [];
  const database = {
    async query<Result>(sql: string): Promise<Result> {
      statements.push(sql);
      return (sql.startsWith('SELECT max(reltuples)') ? [{ rows: largestTableRows }] : []) as Result;
    },
  };
  let offset = 0;
  const store = {
    readAll: jest.fn(async (options: ReadAllOptions) => {
      const count = Math.max(0, Math.min(options.maxCount, size - offset));
      offset += count;
      return Array.from({ length: count }, () => ({}) as RecordedEvent);
    }),
    headPosition: jest.fn(async function (this: unknown) {
      return this === store ? START : null;
    }),
  };
  const analyses = () => statements.filter((sql) => sql === 'ANALYZE').length;
  return { database, store, statements, analyses, rewind: () => (offset = 0), grow: (more: number) => (size += more) };
}

const readToHead = async (store: EventStore, batch = 500, filter: Partial<ReadAllOptions> = {}) => {
  for (;;) {
    const events = await store.readAll({ after: START, maxCount: batch, ...filter });
    if (events.length < batch) return;
  }
};

describe('PlannerStatistics', () => {
  it('runs ANALYZE once a reader of the whole log reaches the head after a large catch-up, before it gets its last batch', async () => {
    const { database, store, analyses } = fixture(25_000);
    const statistics = new PlannerStatistics(database, { minEvents: 10_000 });
    const watched = statistics.watchCatchUp(store as unknown as EventStore);
    let analysedBeforeLastBatch = false;
    for (;;) {
      const events = await watched.readAll({ after: START, maxCount: 500 });
      if (events.length < 500) {
        analysedBeforeLastBatch = analyses() === 1;
        break;
      }
      expect(analyses()).toBe(0); // full batches: still catching up
    }
    expect(analysedBeforeLastBatch).toBe(true);
  });

  it('also when the log is an exact multiple of the batch size (the last read is empty)', async () => {
    const { database, store, analyses } = fixture(20_000);
    const watched = new PlannerStatistics(database, { minEvents: 10_000 }).watchCatchUp(store as unknown as EventStore);
    await readToHead(watched);
    expect(analyses()).toBe(1);
  });

  it('not after a small step, nor for filtered readers, and only once per large step', async () => {
    const { database, store, analyses, rewind, grow } = fixture(9_000);
    const watched = new PlannerStatistics(database, { minEvents: 10_000 }).watchCatchUp(store as unknown as EventStore);
    await readToHead(watched);
    expect(analyses()).toBe(0);
    rewind();
    await readToHead(watched, 500, { eventTypes: ['UserCreated'] });
    expect(analyses()).toBe(0);
    grow(2_000); // 11,000 events read by whole-log readers in all
    await readToHead(watched);
    expect(analyses()).toBe(1);
    await readToHead(watched); // at the head: nothing new
    expect(analyses()).toBe(1);
  });

  it('scales the threshold with the largest table at the previous ANALYZE, as autovacuum does', async () => {
    const { database, store, analyses, grow } = fixture(0, 1_000_000);
    const statistics = new PlannerStatistics(database, { minEvents: 10_000, scaleFactor: 0.1 });
    await statistics.analyze();
    expect(statistics.catchUpThreshold).toBe(100_000);
    const watched = statistics.watchCatchUp(store as unknown as EventStore);
    grow(50_000);
    await readToHead(watched);
    expect(analyses()).toBe(1); // only the explicit one
    grow(50_000);
    await readToHead(watched);
    expect(analyses()).toBe(2);
  });

  it('while writes come in (small batches at the head), analyses in the background and at most once per interval', async () => {
    const { store, grow } = fixture(0);
    let clock = 0;
    let releaseAnalyze: () => void = () => undefined;
    const statements: string[] = [];
    const database = {
      async query<Result>(sql: string): Promise<Result> {
        statements.push(sql);
        if (sql === 'ANALYZE') await new Promise<void>((resolve) => (releaseAnalyze = resolve));
        return (sql.startsWith('SELECT max(reltuples)') ? [{ rows: largestTableRows }] : []) as Result;
      },
    };
    let largestTableRows = 0;
    const analyses = () => statements.filter((sql) => sql === 'ANALYZE').length;
    const statistics = new PlannerStatistics(database, { minEvents: 1_000, steadyIntervalMs: 60_000, now: () => clock });
    const watched = statistics.watchCatchUp(store as unknown as EventStore);
    // The gateway analyses a new, empty database at start; that must not delay the first ANALYZE by a minute.
    const atStart = statistics.analyze();
    releaseAnalyze();
    await atStart;
    largestTableRows = 3_000;
    statements.length = 0;
    const steadyWrites = async (events: number) => {
      for (let written = 0; written < events; written += 100) {
        grow(100);
        await readToHead(watched); // each read returns 100 of a 500-event batch: never behind
        clock += 100;
      }
    };
    await steadyWrites(1_000);
    expect(analyses()).toBe(1); // started at the 1,000th event, and the reads did not wait for it
    await steadyWrites(1_000);
    expect(analyses()).toBe(1); // still running: never two at once
    releaseAnalyze();
    await new Promise((resolve) => setImmediate(resolve));
    await steadyWrites(3_000);
    expect(analyses()).toBe(1); // threshold reached again, but within the minute
    clock += 60_000;
    await steadyWrites(100);
    expect(analyses()).toBe(2);
    releaseAnalyze();
  });

  it('passes every other call to the store itself', async () => {
    const { database, store } = fixture(0);
    const watched = new PlannerStatistics(database).watchCatchUp(store as unknown as EventStore);
    expect(await watched.headPosition()).toEqual(START);
    expect(watched.headPosition).toBe(watched.headPosition);
    expect(store.headPosition).toHaveBeenCalledTimes(1);
  });

  it('reports a failed ANALYZE without throwing', async () => {
    const warnings: string[] = [];
    const statistics = new PlannerStatistics(
      {
        query: async () => {
          throw new Error('disk on fire');
        },
      },
      { warn: (message) => warnings.push(message) },
    );
    await expect(statistics.analyze()).resolves.toBeUndefined();
    expect(warnings).toEqual(['ANALYZE failed: disk on fire']);
  });
});
