import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  NO_APPEND_METRICS,
  NO_COMMAND_METRICS,
  NO_KAFKA_PUBLISH_METRICS,
  NO_PROJECTION_METRICS,
  type AppendMetrics,
  type AppendOutcome,
  type CommandAttemptOutcome,
  type CommandMetrics,
  type KafkaPublishMetrics,
  type ProjectionMetrics,
} from './metrics.recorders.js';

/**
 * Every metric of the gateway and the projector, defined here and nowhere else (docs/observability.md "Metrics"):
 * one prom-client Registry per ScimMetrics (one per process; tests start several gateways in one process, so no
 * global registry), the default process and Node.js metrics, and the recorders handed to the libraries and the
 * HTTP layer. Names are `scim_` plus the unit (`_seconds`, `_total`); label values are closed sets.
 *
 * The request path pays prom-client's label lookup and one observe per series (a few µs); nothing awaits. With METRICS_ENABLED=false no registry exists, every recorder is an empty
 * function and the gateway installs no HTTP middleware.
 */

/** `store` label of the event-store append latency. */
export type EventStoreLabel = 'postgres' | 'pglite' | 'eventstoredb';

/** Why a request was refused 401 (bearer-token.guard.ts, admin-token.guard.ts). */
const AUTH_FAILURE_REASONS = ['missing', 'malformed', 'unknown', 'revoked', 'expired', 'tenant_disabled', 'session', 'csrf', 'origin'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];
export type AuthRealm = 'scim' | 'admin';
/** Admin tokens neither expire nor belong to a tenant; console sessions (cookies) add three reasons of their own. */
const ADMIN_AUTH_FAILURE_REASONS = ['missing', 'malformed', 'unknown', 'revoked', 'session', 'csrf', 'origin'] as const satisfies readonly AuthFailureReason[];

/** Which limit answered 429: the token's rate (RATE_LIMIT_PER_SECOND) or the tenant's concurrent reads. */
const RATE_LIMIT_KINDS = ['token_rate', 'tenant_reads'] as const;
export type RateLimitKind = (typeof RATE_LIMIT_KINDS)[number];

// Counters of a closed label set start at 0, so their series exist (and rate() works) before the first event.
const COMMAND_ATTEMPT_OUTCOMES = ['committed', 'conflict', 'unverified', 'failed'] as const satisfies readonly CommandAttemptOutcome[];
const COMMAND_RETRY_REASONS = ['conflict', 'unverified'] as const;

export type ReadYourWritesOutcome = 'reached' | 'timeout' | 'error';

/** One projection's lag as /metrics reports it (the shape of #event-store/projection.lag.js ProjectionLag). */
export interface ProjectionLagReading {
  readonly projection: string;
  readonly eventsBehind: number;
  readonly eventsBehindCapped: boolean;
  readonly secondsBehind: number;
}

export interface HttpMetrics {
  /** One finished request. `route` is the route template (or `unmatched`), `tenant` is ignored unless METRICS_TENANT_LABEL. */
  request(method: string, route: string, statusClass: string, tenant: string, seconds: number): void;
}

export interface ScimOutcomeMetrics {
  /** One finished SCIM request; scimType `none` when the answer carried none. */
  outcome(resourceType: string, operation: string, statusClass: string, scimType: string, tenant: string): void;
}

export interface AuthMetrics {
  failed(realm: AuthRealm, reason: AuthFailureReason): void;
}

export interface RateLimitMetrics {
  refused(kind: RateLimitKind, tenant: string): void;
}

export interface ReadYourWritesMetrics {
  waited(seconds: number, outcome: ReadYourWritesOutcome): void;
}

export interface MetricsOptions {
  /** METRICS_ENABLED (default true). */
  readonly enabled: boolean;
  /** METRICS_TENANT_LABEL (default false): a `tenant` label on the request, outcome and rate-limit series. */
  readonly tenantLabel: boolean;
  /** The gateway has every series; the projector only its projections', Kafka's and its roles. */
  readonly component: 'gateway' | 'projector';
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// Buckets in seconds. Requests: an Entra write takes a few ms on PGlite, a large PUT of a group seconds.
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const KAFKA_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// Events per projection batch (the runner's default batch is 500) and records per Kafka publish.
const COUNT_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
/** Lag is measured with a query per projection: one measurement serves every gauge of a scrape. */
const LAG_MEASUREMENT_REUSE_MS = 1000;

const noop = () => undefined;

export class ScimMetrics {
  /** null with METRICS_ENABLED=false: /metrics answers 404. */
  readonly registry: Registry | null;
  readonly tenantLabel: boolean;
  readonly http: HttpMetrics = { request: noop };
  readonly scim: ScimOutcomeMetrics = { outcome: noop };
  readonly auth: AuthMetrics = { failed: noop };
  readonly rateLimit: RateLimitMetrics = { refused: noop };
  readonly readYourWrites: ReadYourWritesMetrics = { waited: noop };
  readonly command: CommandMetrics = NO_COMMAND_METRICS;
  readonly projection: ProjectionMetrics = NO_PROJECTION_METRICS;
  readonly kafkaPublish: KafkaPublishMetrics = NO_KAFKA_PUBLISH_METRICS;
  private readonly appendLatency: Histogram | null = null;
  private lagSource: (() => Promise<readonly ProjectionLagReading[]>) | null = null;
  private lastLag: { at: number; readings: Promise<readonly ProjectionLagReading[] | null> } | null = null;
  private roleSource: (() => readonly { projection: string; active: boolean }[]) | null = null;

  constructor(options: MetricsOptions) {
    this.tenantLabel = options.enabled && options.tenantLabel;
    if (!options.enabled) {
      this.registry = null;
      return;
    }
    const registry = new Registry();
    this.registry = registry;
    collectDefaultMetrics({ register: registry });
    const tenant = this.tenantLabel ? ['tenant'] : [];
    const registers = [registry];

    if (options.component === 'gateway') {
      const requests = new Histogram({
        registers,
        name: 'scim_http_request_duration_seconds',
        help: 'HTTP requests by method, route template (unmatched: no route) and status class, from arrival to the last byte sent.',
        labelNames: ['method', 'route', 'status_class', ...tenant],
        buckets: [...REQUEST_BUCKETS],
      });
      this.http = this.tenantLabel
        ? { request: (method, route, statusClass, tenantId, seconds) => requests.labels(method, route, statusClass, tenantId).observe(seconds) }
        : { request: (method, route, statusClass, _tenantId, seconds) => requests.labels(method, route, statusClass).observe(seconds) };

      const outcomes = new Counter({
        registers,
        name: 'scim_requests_total',
        help: 'SCIM requests by resource type, operation, status class and scimType (none when the answer had none).',
        labelNames: ['resource_type', 'operation', 'status_class', 'scim_type', ...tenant],
      });
      this.scim = this.tenantLabel
        ? { outcome: (type, operation, statusClass, scimType, tenantId) => outcomes.labels(type, operation, statusClass, scimType, tenantId).inc() }
        : { outcome: (type, operation, statusClass, scimType) => outcomes.labels(type, operation, statusClass, scimType).inc() };

      const authFailures = new Counter({
        registers,
        name: 'scim_auth_failures_total',
        help: 'Requests refused 401, by API (scim, admin) and reason.',
        labelNames: ['realm', 'reason'],
      });
      for (const reason of AUTH_FAILURE_REASONS) authFailures.labels('scim', reason).inc(0);
      for (const reason of ADMIN_AUTH_FAILURE_REASONS) authFailures.labels('admin', reason).inc(0);
      this.auth = { failed: (realm, reason) => authFailures.labels(realm, reason).inc() };

      const refusals = new Counter({
        registers,
        name: 'scim_rate_limit_refusals_total',
        help: 'SCIM requests answered 429, by limit: token_rate (RATE_LIMIT_PER_SECOND) or tenant_reads (READ_CONCURRENCY_PER_TENANT).',
        labelNames: ['limit', ...tenant],
      });
      if (!this.tenantLabel) for (const kind of RATE_LIMIT_KINDS) refusals.labels(kind).inc(0);
      this.rateLimit = this.tenantLabel
        ? { refused: (kind, tenantId) => refusals.labels(kind, tenantId).inc() }
        : { refused: (kind) => refusals.labels(kind).inc() };

      const readYourWrites = new Histogram({
        registers,
        name: 'scim_read_your_writes_wait_seconds',
        help: 'How long a write waited for the read model before answering; outcome timeout: READ_YOUR_WRITES_TIMEOUT_MS ran out.',
        labelNames: ['outcome'],
        buckets: [0.0005, ...STORE_BUCKETS, 10],
      });
      this.readYourWrites = { waited: (seconds, outcome) => readYourWrites.labels(outcome).observe(seconds) };

      const attempts = new Counter({
        registers,
        name: 'scim_command_attempts_total',
        help: 'Attempts of the command loop by outcome; conflict: a version conflict.',
        labelNames: ['outcome'],
      });
      const retries = new Counter({
        registers,
        name: 'scim_command_retries_total',
        help: 'Attempts started again, by reason (conflict, unverified cached guess).',
        labelNames: ['reason'],
      });
      const gaveUp = new Counter({
        registers,
        name: 'scim_command_contention_failures_total',
        help: 'Commands that ran out of attempts under contention (answered 503).',
      });
      for (const outcome of COMMAND_ATTEMPT_OUTCOMES) attempts.labels(outcome).inc(0);
      for (const reason of COMMAND_RETRY_REASONS) retries.labels(reason).inc(0);
      this.command = {
        attempt: (outcome) => attempts.labels(outcome).inc(),
        retry: (reason) => retries.labels(reason).inc(),
        gaveUp: () => gaveUp.inc(),
      };

      this.appendLatency = new Histogram({
        registers,
        name: 'scim_event_store_append_duration_seconds',
        help: 'Appends to the event store (one atomic call, one or several streams) by store and outcome.',
        labelNames: ['store', 'outcome'],
        buckets: [...STORE_BUCKETS],
      });
    }

    const batchEvents = new Histogram({
        registers,
      name: 'scim_projection_batch_events',
      help: 'Events per applied projection batch.',
      labelNames: ['projection'],
      buckets: [...COUNT_BUCKETS],
    });
    const batchDuration = new Histogram({
        registers,
      name: 'scim_projection_batch_duration_seconds',
      help: 'Time to apply and checkpoint one projection batch.',
      labelNames: ['projection'],
      buckets: [...KAFKA_BUCKETS],
    });
    const batchFailures = new Counter({
        registers,
      name: 'scim_projection_batch_failures_total',
      help: 'Projection batches that failed (each is retried after a back-off).',
      labelNames: ['projection'],
    });
    this.projection = {
      applied(projection, events, seconds) {
        batchFailures.labels(projection).inc(0); // its failure count exists (at 0) from the first batch on
        batchEvents.labels(projection).observe(events);
        batchDuration.labels(projection).observe(seconds);
      },
      failed: (projection) => batchFailures.labels(projection).inc(),
    };

    const publishDuration = new Histogram({
        registers,
      name: 'scim_kafka_publish_duration_seconds',
      help: 'Kafka publishes the broker acknowledged: from the call to the acknowledgement (through the send thread when one is used).',
      buckets: [...KAFKA_BUCKETS],
    });
    const publishRecords = new Histogram({
        registers,
      name: 'scim_kafka_publish_batch_records',
      help: 'Records per acknowledged Kafka publish.',
      buckets: [...COUNT_BUCKETS],
    });
    const publishErrors = new Counter({
        registers,
      name: 'scim_kafka_publish_errors_total',
      help: 'Kafka publishes that failed (the projection retries the batch after a back-off).',
    });
    this.kafkaPublish = {
      published(records, seconds) {
        publishDuration.observe(seconds);
        publishRecords.observe(records);
      },
      failed: () => publishErrors.inc(),
    };

    // Lag is measured when Prometheus scrapes (from the stored checkpoints), not kept up to date in between.
    const lag = (name: string, help: string, value: (reading: ProjectionLagReading) => number) => {
      const metrics = this;
      return new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers,
        async collect() {
          const readings = await metrics.lagReadings();
          this.reset();
          for (const reading of readings ?? []) this.labels(reading.projection).set(value(reading));
        },
      });
    };
    // Names unchanged from the hand-written /metrics before prom-client: operators may scrape them already.
    lag('scim_projection_events_behind', 'Events in the log the projection has not applied yet (a lower bound when capped).', (r) => r.eventsBehind);
    lag('scim_projection_events_behind_capped', '1 when more events are behind than were counted.', (r) => (r.eventsBehindCapped ? 1 : 0));
    lag('scim_projection_seconds_behind', 'Age in seconds of the oldest event the projection has not applied yet.', (r) => r.secondsBehind);

    if (options.component === 'projector') {
      const metrics = this;
      new Gauge({
        name: 'scim_projector_active',
        help: '1 when this projector applies the projection, 0 on standby.',
        labelNames: ['projection'],
        registers,
        collect() {
          this.reset();
          for (const { projection, active } of metrics.roleSource?.() ?? []) this.labels(projection).set(active ? 1 : 0);
        },
      });
    }
  }

  get enabled(): boolean {
    return this.registry !== null;
  }

  /** The append recorder for one event store, labelled `store`. */
  appendMetrics(store: EventStoreLabel): AppendMetrics {
    const histogram = this.appendLatency;
    if (!histogram) return NO_APPEND_METRICS;
    return { appended: (seconds: number, outcome: AppendOutcome) => histogram.labels(store, outcome).observe(seconds) };
  }

  /** Where the projection-lag gauges come from; measured at most once per second, on scrape. */
  observeProjectionLag(source: () => Promise<readonly ProjectionLagReading[]>): void {
    this.lagSource = source;
  }

  /** Where scim_projector_active comes from (the projector's leader election). */
  observeProjectorRoles(source: () => readonly { projection: string; active: boolean }[]): void {
    this.roleSource = source;
  }

  /** The exposition text, or null when metrics are off. */
  async render(): Promise<string | null> {
    return this.registry ? this.registry.metrics() : null;
  }

  private lagReadings(): Promise<readonly ProjectionLagReading[] | null> {
    const source = this.lagSource;
    if (!source) return Promise.resolve(null);
    const now = performance.now();
    if (this.lastLag && now - this.lastLag.at < LAG_MEASUREMENT_REUSE_MS) return this.lastLag.readings;
    // A store that cannot be asked leaves the lag series out of this scrape; every other series is still served.
    const readings = source().catch(() => null);
    this.lastLag = { at: now, readings };
    return readings;
  }
}

/** Reads METRICS_ENABLED and METRICS_TENANT_LABEL from a loaded configuration. */
export function createScimMetrics(config: { readonly metricsEnabled: boolean; readonly metricsTenantLabel: boolean }, component: MetricsOptions['component']): ScimMetrics {
  return new ScimMetrics({ enabled: config.metricsEnabled, tenantLabel: config.metricsTenantLabel, component });
}
