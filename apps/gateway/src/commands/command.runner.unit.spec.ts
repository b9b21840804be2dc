import type { EventStore } from '#event-store/event-store.port.js';
import { StreamStateCache } from '#event-store/stream-state.cache.js';
import { StreamTurns } from '#event-store/stream-turns.js';
import { ScimMetrics } from '#observability/metrics.js';
import type { ScimCallContext } from '../http/request-context.js';
import type { ReadModelProgress } from '../projections/read-model.progress.js';
import { CommandRunner } from './command.runner.js';

describe('CommandRunner.settle, after a write has committed', () => {
  it('answers false instead of failing when the read model cannot be asked (an outage), and counts the wait as an error', async () => {
    const readModel = {
      waitFor: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
    } as unknown as ReadModelProgress;
    const metrics = new ScimMetrics({ enabled: true, tenantLabel: false, component: 'gateway' });
    const runner = new CommandRunner({} as EventStore, readModel, new StreamStateCache(), new StreamTurns(), metrics);
    await expect(runner.settle({ dryRun: false } as ScimCallContext, { commit: 1n, prepare: 1n } as never)).resolves.toBe(false);
    expect(await metrics.render()).toContain('scim_read_your_writes_wait_seconds_count{outcome="error"} 1');
  });
});
