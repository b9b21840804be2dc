import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { kafkaBrokersForTests, uniqueTopicPrefix, untilDefined } from '#kafka/kafka.test-support.js';
import { ScimMetrics } from '#observability/metrics.js';
import { testDatabases, type TestDatabase } from '#testing/test-databases.js';
import { startProjector, type Projector } from '../apps/projector/src/projector.runtime.js';
import { startProjectorStatusServer } from '../apps/projector/src/projector.status-server.js';
import { alertRulesIn, dashboardExpressions, isExposed, metricNamesInPromQL, parseExposition, sampleValue, type Exposition } from './support/metric-names.js';
import { entraUser, startTestGateway, type TestGateway } from './support/test-gateway.js';

/**
 * Issue 14 item 2: /metrics after an Entra-like cycle has the series the docs name, with bounded labels, and
 * every metric the shipped dashboard and alert rules use (deploy/observability/) is one the gateway or the
 * projector exposes. Kafka publishes are measured when a broker is configured (KAFKA_BROKERS).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const brokers = kafkaBrokersForTests('metrics: Kafka publish series');
const postgres = testDatabases().find((backend) => backend.name === 'postgres');

const scrape = async (gateway: TestGateway): Promise<Exposition> => {
  const response = await request(gateway.app.getHttpServer()).get('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(response.text);
};

describe('metrics after an Entra-like cycle (embedded PGlite)', () => {
  let gateway: TestGateway;
  let userId: string;
  let before: Exposition;
  let after: Exposition;

  beforeAll(async () => {
    gateway = await startTestGateway(brokers ? { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('metrics') } : {});
    const scim = gateway.scim;
    before = await scrape(gateway);
    // Entra's cycle: look the user up, create it, read it, PATCH it, a group with it as a member, then delete.
    expect((await scim('get', '/scim/v2/Users?filter=userName%20eq%20%22ann%40contoso.com%22')).status).toBe(200);
    const created = await scim('post', '/scim/v2/Users', entraUser('ann@contoso.com'));
    expect(created.status).toBe(201);
    userId = created.body.id as string;
    expect((await scim('get', `/scim/v2/Users/${userId}`)).status).toBe(200);
    expect((await scim('patch', `/scim/v2/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).status).toBe(200);
    const group = await scim('post', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales', externalId: 'g-1' });
    expect(group.status).toBe(201);
    const members = { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: userId }] }] };
    expect((await scim('patch', `/scim/v2/Groups/${group.body.id as string}`, members)).status).toBe(204);
    // The same userName again: 409 uniqueness.
    expect((await scim('post', '/scim/v2/Users', entraUser('ann@contoso.com', 'ext-other'))).status).toBe(409);
    expect((await scim('get', '/scim/v2/ServiceProviderConfig')).status).toBe(200);
    expect((await scim('get', '/scim/v2/NoSuchEndpoint/x')).status).toBe(404);
    expect((await scim('delete', `/scim/v2/Users/${userId}`)).status).toBe(204);
    // Refused: no token, a Basic header, a token nobody issued; and the admin API with a SCIM token.
    const server = gateway.app.getHttpServer();
    expect((await request(server).get('/scim/v2/Users')).status).toBe(401);
    expect((await request(server).get('/scim/v2/Users').set('Authorization', 'Basic dXNlcjpwYXNz')).status).toBe(401);
    expect((await gateway.as('scim_not-a-token-anyone-issued', 'get', '/scim/v2/Users')).status).toBe(401);
    expect((await gateway.as('scim_not-a-token-anyone-issued', 'get', '/admin/v1/tenants')).status).toBe(401);
    // The Kafka projection publishes in the background: wait for its first acknowledged publish.
    after = brokers
      ? await untilDefined(async () => {
          const exposition = await scrape(gateway);
          // Both the publish and the Kafka projection's finished batch (observed after its checkpoint is stored, a
          // moment later on a loaded machine) must be in the same scrape.
          const batched = exposition.samples.get('scim_projection_batch_events_count')?.some((line) => line.includes('projection="kafka.')) ?? false;
          return (sampleValue(exposition, 'scim_kafka_publish_duration_seconds_count', {}) ?? 0) > 0 && batched ? exposition : undefined;
        }, 30_000, 'a Kafka publish')
      : await scrape(gateway);
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
  });

  const delta = (name: string, labels: Record<string, string>) => (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);

  it('times requests by method, route template and status class, never by URL', () => {
    expect(delta('scim_http_request_duration_seconds_count', { method: 'POST', route: '/scim/v2/Users', status_class: '2xx' })).toBe(1);
    expect(delta('scim_http_request_duration_seconds_count', { method: 'POST', route: '/scim/v2/Users', status_class: '4xx' })).toBe(1);
    expect(delta('scim_http_request_duration_seconds_count', { method: 'GET', route: '/scim/v2/Users/:id', status_class: '2xx' })).toBe(1);
    expect(delta('scim_http_request_duration_seconds_count', { method: 'DELETE', route: '/scim/v2/Users/:id', status_class: '2xx' })).toBe(1);
    expect(delta('scim_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(sampleValue(after, 'scim_http_request_duration_seconds_bucket', { method: 'GET', route: '/scim/v2/Users/:id', status_class: '2xx', le: '+Inf' })).toBe(1);
    // No id, filter or unknown path in any label.
    const everySample = [...after.samples.values()].flat().join('\n');
    expect(everySample).not.toContain(userId);
    expect(everySample).not.toContain('NoSuchEndpoint');
    expect(everySample).not.toContain('contoso');
  });

  it('counts SCIM outcomes by resource type, operation, status class and scimType', () => {
    const outcome = (resource_type: string, operation: string, status_class: string, scim_type = 'none') =>
      delta('scim_requests_total', { resource_type, operation, status_class, scim_type });
    expect(outcome('User', 'create', '4xx', 'uniqueness')).toBe(1);
    expect(outcome('User', 'create', '2xx')).toBe(1);
    expect(outcome('User', 'list', '2xx')).toBe(1);
    expect(outcome('User', 'get', '2xx')).toBe(1);
    expect(outcome('User', 'patch', '2xx')).toBe(1);
    expect(outcome('User', 'delete', '2xx')).toBe(1);
    expect(outcome('Group', 'create', '2xx')).toBe(1);
    expect(outcome('Group', 'patch', '2xx')).toBe(1);
    expect(outcome('ServiceProviderConfig', 'get', '2xx')).toBe(1);
    expect(outcome('unknown', 'other', '4xx')).toBe(1);
    expect(outcome('User', 'list', '4xx')).toBe(3); // the three refused tokens
  });

  it('counts authentication failures by API and reason', () => {
    expect(delta('scim_auth_failures_total', { realm: 'scim', reason: 'missing' })).toBe(1);
    expect(delta('scim_auth_failures_total', { realm: 'scim', reason: 'malformed' })).toBe(1);
    expect(delta('scim_auth_failures_total', { realm: 'scim', reason: 'unknown' })).toBe(1);
    expect(delta('scim_auth_failures_total', { realm: 'admin', reason: 'unknown' })).toBe(1);
  });

  it('measures the write path: command attempts, appends per store, read-your-writes, projection batches and lag', () => {
    // Five commands committed (user create, patch, delete; group create, patch); the 409 was decided, not appended.
    expect(delta('scim_command_attempts_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(5);
    expect(delta('scim_event_store_append_duration_seconds_count', { store: 'pglite', outcome: 'ok' })).toBeGreaterThanOrEqual(5);
    expect(delta('scim_read_your_writes_wait_seconds_count', { outcome: 'reached' })).toBeGreaterThanOrEqual(5);
    expect(delta('scim_projection_batch_events_sum', { projection: 'read-model' })).toBeGreaterThanOrEqual(5);
    expect(sampleValue(after, 'scim_projection_events_behind', { projection: 'read-model' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(after, 'scim_projection_seconds_behind', { projection: 'read-model' })).toBeGreaterThanOrEqual(0);
    expect(after.samples.get('process_resident_memory_bytes')).toHaveLength(1);
    expect(after.samples.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });

  (brokers ? it : it.skip)('measures the Kafka publishes', () => {
    expect(sampleValue(after, 'scim_kafka_publish_batch_records_sum', {})).toBeGreaterThan(0);
    expect(after.samples.get('scim_projection_batch_events_count')!.some((line) => line.includes('projection="kafka.test.metrics.'))).toBe(true);
  });

  describe('the shipped dashboard and alert rules', () => {
    let projector: { exposition: Exposition; close(): Promise<void> };

    beforeAll(async () => {
      projector = await projectorExposition();
    }, 120_000);
    afterAll(async () => {
      await projector?.close();
    });

    const used = (file: string, expressions: string[]) => {
      expect(expressions.length).toBeGreaterThan(0);
      return [...new Set(expressions.flatMap(metricNamesInPromQL))].sort();
    };

    it('alert rules: each has an expression and a for:, and names only exposed metrics', () => {
      const rules = alertRulesIn(readFileSync(path.join(ROOT, 'deploy/observability/prometheus-rules.yml'), 'utf8'));
      expect(rules.map((rule) => rule.alert)).toEqual(
        expect.arrayContaining(['ScimProjectionLagging', 'ScimHigh5xxRate', 'ScimKafkaPublishFailing', 'ScimAuthenticationFailureBurst']),
      );
      for (const rule of rules) expect({ alert: rule.alert, for: rule.for, hasExpr: rule.expr.length > 0 }).toEqual({ alert: rule.alert, for: expect.stringMatching(/^\d+[smh]$/), hasExpr: true });
      const names = used('rules', rules.map((rule) => rule.expr));
      expect(names.filter((name) => !isExposed(after, name) && !isExposed(projector.exposition, name))).toEqual([]);
    });

    it('dashboard: names only exposed metrics', () => {
      const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'deploy/observability/grafana-dashboard.json'), 'utf8')) as unknown;
      const names = used('dashboard', dashboardExpressions(dashboard));
      expect(names).toEqual(expect.arrayContaining(['scim_http_request_duration_seconds_bucket', 'scim_projector_active', 'process_resident_memory_bytes']));
      expect(names.filter((name) => !isExposed(after, name) && !isExposed(projector.exposition, name))).toEqual([]);
    });
  });
});

/**
 * The projector's /metrics: a real projector on a database of its own when a PostgreSQL server is configured;
 * without one, the projector's registry with one role reported (its definitions, which the status server serves).
 */
async function projectorExposition(): Promise<{ exposition: Exposition; close(): Promise<void> }> {
  if (!postgres) {
    process.stderr.write('metrics e2e: DATABASE_URL is not set, the projector series come from its registry, not a running projector\n');
    const metrics = new ScimMetrics({ enabled: true, tenantLabel: false, component: 'projector' });
    metrics.observeProjectorRoles(() => [{ projection: 'read-model', active: true }]);
    metrics.projection.applied('read-model', 1, 0.001);
    metrics.kafkaPublish.published(1, 0.001);
    metrics.kafkaPublish.failed();
    return { exposition: parseExposition((await metrics.render())!), close: async () => undefined };
  }
  const database: TestDatabase = await postgres.start();
  let projector: Projector | undefined;
  let status: { port: number; close(): Promise<void> } | undefined;
  try {
    projector = await startProjector({
      databaseUrl: database.connectionString,
      databasePoolSize: 2,
      eventStore: 'postgres',
      logFormat: 'json',
      eventStoreUrl: undefined,
      logLevel: 'error',
      host: '127.0.0.1',
      port: 0,
      lockRetryMs: 500,
      longStatementTimeoutMs: 120_000,
      kafka: brokers ? { brokers, topicPrefix: uniqueTopicPrefix('metrics-projector'), partitions: 1, replicationFactor: 1, clientId: 'metrics-e2e' } : null,
      metricsEnabled: true,
      metricsTenantLabel: false,
    });
    const port = (status = await startProjectorStatusServer(projector, '127.0.0.1', 0)).port;
    const exposition = await untilDefined(async () => {
      const scraped = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      return sampleValue(scraped, 'scim_projector_active', { projection: 'read-model' }) === 1 ? scraped : undefined;
    }, 30_000, 'the projector to become active');
    return {
      exposition,
      async close() {
        await status?.close();
        await projector?.stop();
        await database.stop();
      },
    };
  } catch (error) {
    await status?.close();
    await projector?.stop();
    await database.stop();
    throw error;
  }
}

describe('METRICS_ENABLED=false', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ METRICS_ENABLED: 'false' });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers /metrics 404 and records nothing, while SCIM works as ever', async () => {
    expect(gateway.runtime.metrics.enabled).toBe(false);
    expect((await gateway.scim('post', '/scim/v2/Users', entraUser('bob@contoso.com'))).status).toBe(201);
    const response = await request(gateway.app.getHttpServer()).get('/metrics');
    expect(response.status).toBe(404);
    expect(response.text).toContain('METRICS_ENABLED=false');
    expect(await gateway.runtime.metrics.render()).toBeNull();
  });
});

describe('METRICS_TENANT_LABEL=true', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ METRICS_TENANT_LABEL: 'true' });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it('labels the request and outcome series with the tenant (none before authentication)', async () => {
    expect((await gateway.scim('post', '/scim/v2/Users', entraUser('cy@contoso.com'))).status).toBe(201);
    expect((await request(gateway.app.getHttpServer()).get('/scim/v2/Users')).status).toBe(401);
    const exposition = await scrape(gateway);
    expect(sampleValue(exposition, 'scim_requests_total', { resource_type: 'User', operation: 'create', status_class: '2xx', scim_type: 'none', tenant: 'default' })).toBe(1);
    expect(sampleValue(exposition, 'scim_http_request_duration_seconds_count', { method: 'GET', route: '/scim/v2/Users', status_class: '4xx', tenant: 'none' })).toBe(1);
  });
});
