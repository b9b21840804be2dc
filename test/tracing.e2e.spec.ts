import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { START, type RecordedEvent } from '#event-store/event-store.port.js';
import { kafkaBrokersForTests, TopicCollector, uniqueTopicPrefix } from '#kafka/kafka.test-support.js';
import { startTracing, type Tracing } from '#observability/tracing.js';
import { entraUser, gatewayBackends, startTestGateway, type TestGateway } from './support/test-gateway.js';

/**
 * Issue 14: a request's trace continues from the client's traceparent through the command and its SQL, is stored
 * in the event's metadata, links the projection batch and travels on the Kafka record.
 */
const brokers = kafkaBrokersForTests('tracing: the traceparent on Kafka records');

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const newTraceparent = () => `00-${hex(16)}-${hex(8)}-01`;

async function eventsOf(gateway: TestGateway, resourceId: string): Promise<RecordedEvent[]> {
  const events = await gateway.runtime.eventStore.readAll({ after: START, maxCount: 10_000 });
  return events.filter((event) => (event.data as { userId?: string }).userId === resourceId);
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(gatewayBackends())('tracing on (in-memory exporter), %s', (_name, env) => {
  const exporter = new InMemorySpanExporter();
  const topicPrefix = uniqueTopicPrefix('tracing');
  let tracing: Tracing;
  let gateway: TestGateway;
  let collector: TopicCollector | undefined;

  beforeAll(async () => {
    // Before the gateway, as main.ts does.
    tracing = startTracing({ enabled: true, exporters: [], otlpUrl: null, serviceName: 'scim-gateway-test', resourceAttributes: {}, sampler: { kind: 'parentbased_always_on' } }, exporter);
    if (brokers) collector = await TopicCollector.start(brokers, topicPrefix);
    gateway = await startTestGateway(brokers ? { ...env, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix } : env);
  });
  afterAll(async () => {
    await collector?.stop();
    await gateway?.close();
    await tracing?.shutdown();
  });

  const spans = () => exporter.getFinishedSpans();
  const byId = () => new Map(spans().map((span) => [span.spanContext().spanId, span]));
  /** True when `span` is `ancestor` or below it, following the parents among the exported spans. */
  const descendsFrom = (span: ReadableSpan, ancestor: ReadableSpan, index = byId()): boolean => {
    for (let current: ReadableSpan | undefined = span; current; current = index.get(current.parentSpanContext?.spanId ?? '')) {
      if (current.spanContext().spanId === ancestor.spanContext().spanId) return true;
    }
    return false;
  };

  it('continues the client traceparent: server span, command and SQL below it, the traceparent in the event, the batch linked, the Kafka record carrying it', async () => {
    const incoming = newTraceparent();
    const traceId = incoming.slice(3, 35);
    const userName = `traced-${hex(4)}@contoso.com`;
    const created = await gateway.scim('post', '/scim/v2/Users', entraUser(userName)).set('traceparent', incoming).set('tracestate', 'vendor=abc');
    expect(created.status).toBe(201);
    const id = JSON.parse(created.text).id as string;

    // The server span ends when the response closes, just after supertest has the answer.
    const server = await until(
      () => spans().find((span) => span.kind === SpanKind.SERVER && span.spanContext().traceId === traceId),
      'the server span',
    );
    expect(server.name).toBe('POST /scim/v2/Users');
    expect(server.parentSpanContext?.spanId).toBe(incoming.slice(36, 52));
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/scim/v2/Users', 'http.response.status_code': 201, 'url.path': '/scim/v2/Users' });

    const inTrace = spans().filter((span) => span.spanContext().traceId === traceId);
    const command = inTrace.find((span) => span.name === 'command');
    expect(command).toBeDefined();
    expect(descendsFrom(command!, server)).toBe(true);
    expect(command!.attributes['scim.command.attempts']).toBe(1);
    expect(command!.attributes['scim.stream.names']).toEqual(expect.arrayContaining([expect.stringContaining(id)]));
    const append = inTrace.find((span) => span.name === 'event_store.append');
    expect(append && descendsFrom(append, command!)).toBe(true);
    expect(append!.attributes['scim.stream.expected_revisions']).toEqual(expect.arrayContaining(['no-stream']));

    const statements = inTrace.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((span) => descendsFrom(span, server) && span.kind === SpanKind.CLIENT)).toBe(true);
    // The append's statement is under the append span; the statement texts never carry the values bound to them.
    expect(statements.some((span) => descendsFrom(span, append!))).toBe(true);
    for (const span of inTrace) expect(JSON.stringify(span.attributes)).not.toContain(userName);

    const events = await eventsOf(gateway, id);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.metadata.traceparent).toBe(`00-${traceId}-${server.spanContext().spanId}-01`);
      expect(event.metadata.tracestate).toBe('vendor=abc');
    }

    const batch = await until(
      () => spans().find((span) => span.name === 'projection.batch' && span.links.some((link) => link.context.traceId === traceId)),
      'a projection batch linked to the request',
    );
    expect(batch.parentSpanContext).toBeUndefined();
    expect(batch.attributes['scim.projection.batch_size']).toBeGreaterThan(0);

    if (collector) {
      const record = await until(() => collector!.records.find((candidate) => candidate.event.subject === id), 'the Kafka record', 30_000);
      expect(record.event.traceparent).toBe(events[0].metadata.traceparent);
      expect(record.event.tracestate).toBe('vendor=abc');
      // The send span is a child of the Kafka projection's batch span, which links to the request's trace.
      const send = await until(() => {
        const index = byId();
        return spans().find(
          (span) => span.kind === SpanKind.PRODUCER && index.get(span.parentSpanContext?.spanId ?? '')?.links.some((link) => link.context.traceId === traceId),
        );
      }, 'the Kafka send span under a batch linked to the request');
      expect(send.name).toBe('send');
      expect(send.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': expect.stringContaining(`${topicPrefix}.users`), 'messaging.batch.message_count': expect.any(Number) });
      expect(byId().get(send.parentSpanContext!.spanId)?.attributes['scim.projection.name']).toBe(`kafka.${topicPrefix}`);
    }
  });

  it('starts a new trace without a traceparent, and names a request no route answered by its method', async () => {
    const listed = await gateway.scim('get', '/scim/v2/Nothing');
    expect(listed.status).toBe(404);
    const server = await until(() => spans().find((span) => span.kind === SpanKind.SERVER && span.attributes['url.path'] === '/scim/v2/Nothing'), 'the span of the 404');
    expect(server.name).toBe('GET');
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.attributes['http.response.status_code']).toBe(404);
  });
});

describe('tracing off', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("stores the client's valid traceparent as it came, so its trace continues downstream", async () => {
    const incoming = newTraceparent();
    const created = await gateway.scim('post', '/scim/v2/Users', entraUser(`untraced-${hex(4)}@contoso.com`)).set('traceparent', incoming);
    expect(created.status).toBe(201);
    const [event] = await eventsOf(gateway, JSON.parse(created.text).id);
    expect(event.metadata.traceparent).toBe(incoming);
    expect(event.metadata.tracestate).toBeUndefined();
  });

  it.each([
    ['another version', `01-${hex(16)}-${hex(8)}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${hex(8)}-01`],
    ['garbage', 'not-a-traceparent'],
  ])('stores no traceparent for %s', async (_case, traceparent) => {
    const created = await gateway.scim('post', '/scim/v2/Users', entraUser(`untraced-${hex(4)}@contoso.com`)).set('traceparent', traceparent).set('tracestate', 'vendor=abc');
    expect(created.status).toBe(201);
    const [event] = await eventsOf(gateway, JSON.parse(created.text).id);
    expect(event.metadata).not.toHaveProperty('traceparent');
    expect(event.metadata).not.toHaveProperty('tracestate');
  });
});
