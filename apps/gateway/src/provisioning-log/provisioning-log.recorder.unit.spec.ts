import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ProvisioningLogEntry } from './provisioning-log.entry.js';
import { ProvisioningLogRecorder } from './provisioning-log.recorder.js';
import type { ProvisioningLogWriter } from './provisioning-log.store.js';

function entry(index: number): ProvisioningLogEntry {
  return {
    at: new Date(0),
    tenantId: 'acme',
    tokenId: null,
    requestId: `r-${index}`,
    method: 'GET',
    path: '/scim/v2/Users',
    query: null,
    resourceType: 'User',
    resourceId: null,
    status: 200,
    durationMs: 1,
    scimType: null,
    detail: null,
    eventIds: [],
    dryRun: false,
    skippedMemberIds: [],
    skippedMemberCount: 0,
  };
}

/** A database double: records batches, or fails the way the brief says. */
class FakeWriter implements ProvisioningLogWriter {
  readonly batches: string[][] = [];
  failure: Error | null = null;
  async insert(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.batches.push(entries.map((written) => written.requestId!));
  }
  get written(): string[] {
    return this.batches.flat();
  }
}

const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => `r-${from + index}`);

describe('ProvisioningLogRecorder', () => {
  let writer: FakeWriter;
  let recorder: ProvisioningLogRecorder;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    jest.useFakeTimers();
    writer = new FakeWriter();
    recorder = new ProvisioningLogRecorder(writer, { flushIntervalMs: 250, batchSize: 3, maxBuffered: 5 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('keeps entries in memory until the interval, then writes them in one batch', async () => {
    recorder.record(entry(0));
    recorder.record(entry(1));
    expect(writer.batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(250);
    expect(writer.batches).toEqual([['r-0', 'r-1']]);
    expect(recorder.buffered).toBe(0);
  });

  it('writes a full batch at once, without waiting for the timer', async () => {
    for (let index = 0; index < 3; index++) recorder.record(entry(index));
    await Promise.resolve();
    await Promise.resolve();
    expect(writer.batches).toEqual([['r-0', 'r-1', 'r-2']]);
  });

  it('while the database is down keeps the newest entries up to the cap, counts the dropped, and writes the rest in order once it is back', async () => {
    writer.failure = connectionRefused();
    for (let index = 0; index < 8; index++) recorder.record(entry(index));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(recorder.buffered).toBe(5);
    expect(recorder.dropped).toBe(3);

    writer.failure = null;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(writer.written).toEqual(ids(3, 8));
    expect(writer.batches.every((batch) => batch.length <= 3)).toBe(true);
    expect(recorder.buffered).toBe(0);
  });

  it('when the database refuses a batch as data, writes its entries one by one and drops only the one it refuses', async () => {
    const refusing = new (class extends FakeWriter {
      override async insert(entries: readonly ProvisioningLogEntry[]): Promise<void> {
        if (entries.some((refused) => refused.requestId === 'r-1')) throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
        return super.insert(entries);
      }
    })();
    recorder = new ProvisioningLogRecorder(refusing, { flushIntervalMs: 250, batchSize: 3, maxBuffered: 5 });
    recorder.record(entry(0));
    recorder.record(entry(1));
    recorder.record(entry(2));
    await recorder.flush();
    expect(recorder.dropped).toBe(1);
    expect(refusing.written).toEqual(['r-0', 'r-2']);
    recorder.record(entry(3));
    await recorder.flush();
    expect(refusing.batches.at(-1)).toEqual(['r-3']);
  });

  it('writes whatever it holds at shutdown, and after it writes each late entry directly', async () => {
    recorder.record(entry(0));
    recorder.record(entry(1));
    await recorder.beforeApplicationShutdown();
    recorder.record(entry(2));
    await recorder.onApplicationShutdown();
    expect(writer.written).toEqual(['r-0', 'r-1', 'r-2']);
    recorder.record(entry(3));
    await Promise.resolve();
    expect(writer.written).toEqual(['r-0', 'r-1', 'r-2', 'r-3']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not wait for ever at shutdown on a database that hangs', async () => {
    writer.insert = () => new Promise<void>(() => undefined);
    recorder.record(entry(0));
    const stopping = recorder.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(5_000);
    await stopping;
    expect(recorder.dropped).toBe(1);
  });

  it('never throws into the request path, whatever the database does', () => {
    writer.failure = connectionRefused();
    expect(() => {
      for (let index = 0; index < 100; index++) recorder.record(entry(index));
    }).not.toThrow();
  });
});
