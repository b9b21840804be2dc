import type { ProjectionMetrics } from '#observability/metrics.recorders.js';
import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { testEventMetadata } from '#testing/event-metadata.js';
import type { EventStore, GlobalPosition, RecordedEvent } from './event-store.port.js';
import { START } from './event-store.port.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb.event-store.js';
import { InMemoryEventStoreDbServer } from './eventstoredb/eventstoredb-fake.test-support.js';
import { linksToRequests, MAX_BATCH_LINKS, ProjectionRunner, type Projection } from './projection.runner.js';

// A broken connection under the projection (issue 12 saw "Received unexpected rowDescription message" and then
// "projection read-model failed") costs a retry, never the projection, and a write waiting for read-your-writes
// is told the truth: true once its event is applied, not false because one read failed.
const METADATA = testEventMetadata('t', '2025-01-01T00:00:00.000Z');

class RecordingProjection implements Projection {
  readonly name = 'recording';
  readonly applied: string[] = [];
  async loadCheckpoint(): Promise<GlobalPosition> {
    return START;
  }
  async apply(events: readonly RecordedEvent[]): Promise<void> {
    this.applied.push(...events.map((event) => event.id));
  }
}

describe('ProjectionRunner over a connection that breaks', () => {
  let runner: ProjectionRunner | undefined;
  afterEach(async () => {
    await runner?.stop();
  });

  it('retries the failed read and reaches the write a client waits for', async () => {
    const inner = new EventStoreDbEventStore(new InMemoryEventStoreDbServer().connect(), { log: () => undefined });
    let failuresLeft = 2;
    const store: EventStore = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'readAll' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          if (failuresLeft-- > 0) throw new Error('Received unexpected rowDescription message from backend.');
          return value.apply(target, args);
        };
      },
    });
    const projection = new RecordingProjection();
    const errors: string[] = [];
    const batches: string[] = [];
    const metrics: ProjectionMetrics = {
      applied: (name, events) => void batches.push(`${name}: ${events} applied`),
      failed: (name) => void batches.push(`${name}: failed`),
    };
    runner = new ProjectionRunner(store, projection, { idleWaitMs: 50, logger: { log: () => undefined, error: (message) => errors.push(message) }, metrics });
    await runner.start();

    const id = randomUUID();
    const { position } = await store.appendToStream({
      streamName: 't.user-1',
      expectedRevision: 'no-stream',
      events: [{ id, type: 'UserCreated', schemaVersion: 1, data: {}, metadata: METADATA }],
    });
    await expect(runner.waitForPosition(position, 5_000)).resolves.toBe(true);
    expect(projection.applied).toEqual([id]);
    expect(errors).toHaveLength(2);
    expect(batches).toEqual([`${projection.name}: failed`, `${projection.name}: failed`, `${projection.name}: 1 applied`]);
    expect(runner.status()).toMatchObject({ lastError: null });
    await inner.close();
  });
});

describe('linksToRequests', () => {
  const event = (index: number, traceparent?: string): RecordedEvent => ({
    id: `event-${index}`,
    type: 'Thing',
    schemaVersion: 1,
    data: {},
    metadata: { ...testEventMetadata('acme', '2025-01-01T00:00:00.000Z'), ...(traceparent === undefined ? {} : { traceparent }) },
    streamName: 'acme.thing',
    revision: BigInt(index),
    position: { commit: BigInt(index), prepare: 0n },
    recordedAt: new Date(0),
  });
  const traceparent = (index: number, flags = '01') => `00-${index.toString(16).padStart(32, 'a')}-${'b'.repeat(16)}-${flags}`;

  it('links each distinct request once, skips events without a valid traceparent, and keeps the sampled flag', () => {
    const links = linksToRequests([event(0, traceparent(1)), event(1), event(2, traceparent(1)), event(3, 'garbage'), event(4, traceparent(2, '00'))]);
    expect(links).toEqual([
      { context: { traceId: traceparent(1).slice(3, 35), spanId: 'b'.repeat(16), traceFlags: 1, isRemote: true }, attributes: { 'scim.event.id': 'event-0' } },
      { context: { traceId: traceparent(2).slice(3, 35), spanId: 'b'.repeat(16), traceFlags: 0, isRemote: true }, attributes: { 'scim.event.id': 'event-4' } },
    ]);
  });

  it(`keeps at most ${MAX_BATCH_LINKS} links for a batch of many requests`, () => {
    const events = Array.from({ length: 500 }, (_, index) => event(index, traceparent(index + 1)));
    expect(linksToRequests(events)).toHaveLength(MAX_BATCH_LINKS);
  });
});
