import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kafkaBrokersForTests, TopicCollector, uniqueTopicPrefix, untilDefined } from '#kafka/kafka.test-support.js';
import { startGatewayProcess, stopGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { entraUser } from './support/test-gateway.js';

/**
 * Issue 14 "Done when": one SCIM request, followed through the built gateway as operators run it (a process with
 * JSON logs, OTLP export to a receiver, Kafka on). Its trace id is in its JSON request line, in the stored event's
 * metadata (the audit export) and on its Kafka record; the spans reach the OTLP receiver; /metrics counts it.
 * Needs `npm run build` first (npm test does it) and a broker (KAFKA_BROKERS; skipped without one, like the other
 * Kafka suites).
 */
const brokers = kafkaBrokersForTests('observability: one trace id in the log line, the event and the Kafka record');
const SCIM_TOKEN = `obs-scim-${randomBytes(12).toString('hex')}`;
const ADMIN_TOKEN = `obs-admin-${randomBytes(12).toString('hex')}`;

/** A minimal OTLP/HTTP receiver: answers 200 to POST /v1/traces and keeps what arrived. */
async function startOtlpReceiver(): Promise<{ url: string; requests: { path: string; contentType: string; body: Buffer }[]; close(): Promise<void> }> {
  const requests: { path: string; contentType: string; body: Buffer }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', contentType: String(request.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

(brokers ? describe : describe.skip)('one request followed through logs, events, Kafka, traces and metrics (built gateway)', () => {
  let dataDir: string;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let collector: TopicCollector;
  let gateway: GatewayProcess;
  const topicPrefix = uniqueTopicPrefix('observability');

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scim-observability-'));
    receiver = await startOtlpReceiver();
    collector = await TopicCollector.start(brokers!, topicPrefix);
    gateway = await startGatewayProcess({
      DATA_DIR: dataDir,
      SCIM_BEARER_TOKEN: SCIM_TOKEN,
      ADMIN_TOKEN,
      LOG_FORMAT: 'json',
      KAFKA_BROKERS: brokers!.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'scim-gateway-observability-test',
    });
  }, 120_000);

  afterAll(async () => {
    if (gateway) await stopGatewayProcess(gateway);
    await collector?.stop();
    await receiver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finds the trace id of a POST /Users in its log line, its event, its Kafka record and the OTLP receiver', async () => {
    const traceId = randomBytes(16).toString('hex');
    const requestId = `obs-${randomBytes(6).toString('hex')}`;
    const created = await fetch(`${gateway.baseUrl}/scim/v2/Users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SCIM_TOKEN}`,
        'content-type': 'application/scim+json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        'x-request-id': requestId,
      },
      body: JSON.stringify(entraUser(`observed.${randomBytes(4).toString('hex')}@contoso.com`)),
    });
    expect(created.status).toBe(201);
    const userId = ((await created.json()) as { id: string }).id;

    // 1. The request's JSON log line.
    const line = await untilDefined(
      async () =>
        gateway
          .stdout()
          .split('\n')
          .filter((text) => text.startsWith('{'))
          .map((text) => JSON.parse(text) as Record<string, unknown>)
          .find((entry) => entry.requestId === requestId),
      30_000,
      'the request log line',
    );
    expect(line).toMatchObject({ level: 'info', method: 'POST', route: '/scim/v2/Users', status: 201, traceId });

    // 2. The stored event's metadata (the auditor's export).
    const exported = await fetch(`${gateway.baseUrl}/admin/v1/tenants/default/export`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(exported.status).toBe(200);
    const events = (await exported.text())
      .split('\n')
      .filter((text) => text !== '')
      .map((text) => JSON.parse(text) as { type: string; data: { userId?: string }; metadata: { traceparent?: string; requestId?: string } });
    const event = events.find((candidate) => candidate.data.userId === userId);
    expect(event?.metadata.requestId).toBe(requestId);
    expect(event?.metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // ... and in the auditor's history of the resource.
    const history = await fetch(`${gateway.baseUrl}/admin/v1/tenants/default/history/Users/${userId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(history.status).toBe(200);
    const [first] = ((await history.json()) as { events: { traceparent: string | null }[] }).events;
    expect(first.traceparent).toBe(event?.metadata.traceparent);

    // 3. The Kafka record (CloudEvents distributed-tracing extension).
    const record = await untilDefined(async () => collector.records.find((candidate) => candidate.event.subject === userId), 30_000, 'the Kafka record');
    expect(record.event.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // 4. /metrics counted it.
    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^scim_requests_total\{[^}]*resource_type="User"[^}]*operation="create"[^}]*status_class="2xx"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^scim_http_request_duration_seconds_count\{method="POST",route="\/scim\/v2\/Users",status_class="2xx"\} [1-9]/m);

    // 5. The spans reached the OTLP receiver (flushed at the latest when the gateway stops).
    expect(await stopGatewayProcess(gateway)).toBe(0);
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((request) => request.path === '/v1/traces' && request.contentType === 'application/x-protobuf')).toBe(true);
    // OTLP protobuf carries trace ids as 16 raw bytes: this request's must be among what arrived.
    expect(Buffer.concat(receiver.requests.map((request) => request.body)).includes(Buffer.from(traceId, 'hex'))).toBe(true);
  }, 120_000);
});
