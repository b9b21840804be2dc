import type { AppendOutcome } from '#observability/metrics.recorders.js';
import { withAppendMetrics } from './append-metrics.event-store.js';
import { VersionConflictError } from './event-store.errors.js';
import type { EventStore, StreamAppend } from './event-store.port.js';

const APPEND: StreamAppend = { streamName: 's', expectedRevision: 'no-stream', events: [] };

describe('withAppendMetrics', () => {
  it('measures each append with its outcome and leaves every other method to the store', async () => {
    const outcomes: AppendOutcome[] = [];
    const answers: (() => Promise<unknown>)[] = [
      async () => ({ nextRevision: 0n, position: { commit: 1n, prepare: 1n } }),
      async () => {
        throw new VersionConflictError('s', 'no-stream', '0');
      },
      async () => {
        throw new Error('connection reset');
      },
    ];
    const inner = {
      appendToStream: () => answers.shift()!(),
      appendToStreams: async () => [],
      headPosition: async function (this: unknown) {
        return this === inner ? 'bound to the store' : 'unbound';
      },
    } as unknown as EventStore;
    const store = withAppendMetrics(inner, { appended: (seconds, outcome) => void outcomes.push(outcome) });
    await expect(store.appendToStream(APPEND)).resolves.toMatchObject({ nextRevision: 0n });
    await expect(store.appendToStream(APPEND)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.appendToStream(APPEND)).rejects.toThrow('connection reset');
    await store.appendToStreams([APPEND]);
    expect(outcomes).toEqual(['ok', 'conflict', 'error', 'ok']);
    expect(await store.headPosition()).toBe('bound to the store');
  });
});
