import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE } from '#observability/metrics.js';
import { runtimeVersion } from '#observability/runtime-version.js';
import type { Projector } from './projector.runtime.js';

/**
 * /health (alive, with the Node.js version), /ready (the store answers, the Kafka topics exist; per projection its
 * role here, active or standby, and its lag; 503 with `reasons` otherwise) and
 * /metrics (Prometheus, projector.runtime.ts's registry: batches, Kafka publishes, lag, active or standby, process).
 * Lag is measured from the stored checkpoints, so every replica reports the same figures.
 */
export async function startProjectorStatusServer(projector: Projector, host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    void (async () => {
      try {
        if (request.url === '/health') return send(200, JSON.stringify({ status: 'ok', ...runtimeVersion() }));
        if (request.url === '/ready') {
          let store: Record<string, unknown> = { status: 'up' };
          try {
            await projector.eventStore.ping();
          } catch (error) {
            store = { status: 'down', error: error instanceof Error ? error.message : String(error) };
          }
          const projections = await Promise.all(
            projector.projections.map(async (projection) => ({
              ...projection.status(),
              lag: await projection.lag().catch((error: unknown) => ({ error: String(error) })),
            })),
          );
          const reasons: string[] = [];
          if (store.status !== 'up') reasons.push(`event store: down (${String(store.error)})`);
          projections.forEach(({ role }, index) => {
            if (role !== 'active' && role !== 'standby') reasons.push(`projection ${projector.projections[index].name}: ${role}`);
          });
          const kafkaTopics = projector.kafkaTopics?.notReadyReason();
          if (kafkaTopics) reasons.push(kafkaTopics);
          const ready = reasons.length === 0;
          const kafka = projector.kafkaTopics ? { kafka: { topics: projector.kafkaTopics.status() } } : {};
          return send(
            ready ? 200 : 503,
            JSON.stringify({ status: ready ? 'ready' : 'not ready', ...(ready ? {} : { reasons }), eventStore: store, ...kafka, projections }),
          );
        }
        if (request.url === '/metrics') {
          const text = await projector.metrics.render();
          // METRICS_ENABLED=false: 404, as on the gateway, so a scrape target left pointing here shows as down.
          if (text === null) return send(404, 'metrics are off (METRICS_ENABLED=false)\n', 'text/plain');
          return send(200, text, METRICS_CONTENT_TYPE);
        }
        send(404, JSON.stringify({ error: 'not found' }));
      } catch (error) {
        send(500, JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
