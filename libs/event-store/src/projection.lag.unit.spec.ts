import type { GlobalPosition, ReadAllOptions, RecordedEvent } from './event-store.port.js';
import { START } from './event-store.port.js';
import { measureProjectionLag } from './projection.lag.js';

function event(n: number, recordedAt: string): RecordedEvent {
  return {
    id: `id-${n}`,
    type: 'UserCreated',
    schemaVersion: 1,
    data: {},
    metadata: { tenantId: 't', tokenId: null, requestId: null, correlationId: null, sourceIp: null, userAgent: null, occurredAt: recordedAt },
    streamName: `t.user-${n}`,
    revision: 0n,
    position: { commit: BigInt(n), prepare: BigInt(n) },
    recordedAt: new Date(recordedAt),
  };
}

function storeWith(events: RecordedEvent[]) {
  const reads: ReadAllOptions[] = [];
  return {
    reads,
    async headPosition(): Promise<GlobalPosition> {
      return events.at(-1)?.position ?? START;
    },
    async readAll(options: ReadAllOptions) {
      reads.push(options);
      return events.filter((e) => e.position.commit > options.after.commit).slice(0, options.maxCount);
    },
  };
}

const NOW = () => new Date('2026-01-01T00:01:00.000Z');

describe('measureProjectionLag', () => {
  it('is zero without reading events when the checkpoint is the head', async () => {
    const store = storeWith([event(1, '2026-01-01T00:00:00.000Z')]);
    const lag = await measureProjectionLag(store, { name: 'p', loadCheckpoint: async () => ({ commit: 1n, prepare: 1n }) }, { now: NOW });
    expect(lag).toEqual({ projection: 'p', checkpoint: '1:1', head: '1:1', eventsBehind: 0, eventsBehindCapped: false, secondsBehind: 0, oldestPendingAt: null });
    expect(store.reads).toHaveLength(0);
  });

  it('counts the pending events with the projection filter and ages the oldest', async () => {
    const store = storeWith([event(1, '2026-01-01T00:00:00.000Z'), event(2, '2026-01-01T00:00:30.000Z'), event(3, '2026-01-01T00:00:50.000Z')]);
    const projection = { name: 'kafka.scim', eventTypes: ['UserCreated'], loadCheckpoint: async () => ({ commit: 1n, prepare: 1n }) };
    const lag = await measureProjectionLag(store, projection, { now: NOW });
    expect(lag).toMatchObject({ eventsBehind: 2, eventsBehindCapped: false, secondsBehind: 30, oldestPendingAt: '2026-01-01T00:00:30.000Z' });
    expect(store.reads[0].eventTypes).toEqual(['UserCreated']);
  });

  it('says "at least" past the count limit', async () => {
    const store = storeWith([1, 2, 3, 4, 5].map((n) => event(n, '2026-01-01T00:00:00.000Z')));
    const lag = await measureProjectionLag(store, { name: 'p', loadCheckpoint: async () => START }, { now: NOW, countLimit: 3 });
    expect(lag).toMatchObject({ eventsBehind: 3, eventsBehindCapped: true, secondsBehind: 60 });
  });
});
