import type { EventStore } from '#event-store/event-store.port.js';
import { ScimMetrics } from '#observability/metrics.js';
import type { Projector } from './projector.runtime.js';
import { startProjectorStatusServer } from './projector.status-server.js';

/** A projector without a database: one active and one standby projection, and the metrics its runners record. */
function fakeProjector(metrics: ScimMetrics): Projector {
  const projection = (name: string, role: 'active' | 'standby') => ({
    name,
    status: () => ({ role }) as ReturnType<Projector['projections'][number]['status']>,
    lag: async () => ({ projection: name, checkpoint: '1:1', head: '4:4', eventsBehind: 3, eventsBehindCapped: false, secondsBehind: 0.5, oldestPendingAt: null }),
  });
  const projections = [projection('read-model', 'active'), projection('kafka.scim', 'standby')];
  metrics.observeProjectionLag(() => Promise.all(projections.map((entry) => entry.lag())));
  metrics.observeProjectorRoles(() => projections.map((entry) => ({ projection: entry.name, active: entry.status().role === 'active' })));
  return { projections, eventStore: { ping: async () => undefined } as EventStore, kafkaTopics: null, metrics, stop: async () => undefined };
}

describe('projector status server: /metrics', () => {
  it('serves the projector registry: roles, lag, batches, Kafka publishes and the process', async () => {
    const metrics = new ScimMetrics({ enabled: true, tenantLabel: false, component: 'projector' });
    metrics.projection.applied('read-model', 40, 0.02);
    metrics.kafkaPublish.published(40, 0.03);
    metrics.kafkaPublish.failed();
    const status = await startProjectorStatusServer(fakeProjector(metrics), '127.0.0.1', 0);
    try {
      const response = await fetch(`http://127.0.0.1:${status.port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('scim_projector_active{projection="read-model"} 1');
      expect(text).toContain('scim_projector_active{projection="kafka.scim"} 0');
      expect(text).toContain('scim_projection_events_behind{projection="kafka.scim"} 3');
      expect(text).toContain('scim_projection_seconds_behind{projection="read-model"} 0.5');
      expect(text).toContain('scim_projection_batch_events_sum{projection="read-model"} 40');
      expect(text).toContain('scim_kafka_publish_batch_records_sum 40');
      expect(text).toContain('scim_kafka_publish_errors_total 1');
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    } finally {
      await status.close();
    }
  });

  it('answers 404 with METRICS_ENABLED=false', async () => {
    const status = await startProjectorStatusServer(fakeProjector(new ScimMetrics({ enabled: false, tenantLabel: false, component: 'projector' })), '127.0.0.1', 0);
    try {
      const response = await fetch(`http://127.0.0.1:${status.port}/metrics`);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('METRICS_ENABLED=false');
    } finally {
      await status.close();
    }
  });
});

describe('projector status server: /health', () => {
  it('answers 200 with the Node.js version of the process', async () => {
    const status = await startProjectorStatusServer(fakeProjector(new ScimMetrics({ enabled: false, tenantLabel: false, component: 'projector' })), '127.0.0.1', 0);
    try {
      const response = await fetch(`http://127.0.0.1:${status.port}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', node: process.versions.node });
    } finally {
      await status.close();
    }
  });
});
