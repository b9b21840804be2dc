import {
  context,
  propagation,
  SpanStatusCode,
  trace,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { SamplerConfig, TracingConfig } from './tracing.config.js';
import { tracePostgresQueries } from './tracing.pg.js';

/**
 * The process's tracer while tracing is on, null while it is off. Every span site asks this first and, on null,
 * runs its work as it would without tracing: no span object, no attribute built, no extra await.
 */
let activeTracer: Tracer | null = null;

export function tracer(): Tracer | null {
  return activeTracer;
}

export interface Tracing {
  readonly enabled: boolean;
  /** For the start banner: the exporters and the sampler, e.g. `otlp http://collector:4318/v1/traces, parentbased_always_on`. */
  readonly description: string;
  /** Ends tracing: exports the spans still buffered (bounded by the exporter's timeout) and unregisters everything. */
  shutdown(): Promise<void>;
}

/** Longest a shutdown waits for the last spans to be exported. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

const OFF: Tracing = { enabled: false, description: 'off', shutdown: async () => undefined };

/** The most attributes of one span, and the longest attribute value: a span's size is bounded whatever the input. */
const SPAN_LIMITS = { attributeCountLimit: 64, attributeValueLengthLimit: 4096, eventCountLimit: 64, linkCountLimit: 32 } as const;

/**
 * Registers the OpenTelemetry SDK for this process when `config` turns tracing on: the tracer provider, the
 * AsyncLocalStorage context manager (a span started while another is active is its child), the W3C trace-context
 * propagator, and the spans of every PostgreSQL statement. `exporter` replaces the configured exporters with one
 * that gets every span as it ends (tests: an InMemorySpanExporter).
 * Call it first in main, before anything opens a connection. Off: registers nothing.
 */
export function startTracing(config: TracingConfig, exporter?: SpanExporter): Tracing {
  if (!config.enabled) return OFF;
  if (activeTracer !== null) throw new Error('tracing is already started in this process');
  const processors: SpanProcessor[] = exporter
    ? [new SimpleSpanProcessor({ exporter })]
    : config.exporters.map((kind) =>
        kind === 'otlp'
          ? // Batches of up to 512 spans every 5 s, at most 2048 waiting: a slow receiver drops spans, never slows requests.
            new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config.otlpUrl! }) })
          : new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }),
      );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: samplerOf(config.sampler),
    spanLimits: SPAN_LIMITS,
    spanProcessors: processors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  activeTracer = provider.getTracer('scim-gateway');
  tracePostgresQueries(tracer);
  let stopped: Promise<void> | null = null;
  const exporters = exporter ? ['in-memory'] : config.exporters.map((kind) => (kind === 'otlp' ? `otlp ${config.otlpUrl}` : kind));
  return {
    enabled: true,
    description: `${exporters.join(' + ')}, sampler ${config.sampler.kind}${'ratio' in config.sampler ? ` ${config.sampler.ratio}` : ''}, service.name ${config.serviceName}`,
    shutdown() {
      stopped ??= (async () => {
        activeTracer = null;
        try {
          // A receiver that does not answer must not hold up a SIGTERM past the orchestrator's grace period.
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the span exporter did not finish within ${SHUTDOWN_TIMEOUT_MS} ms`)), SHUTDOWN_TIMEOUT_MS);
            timer.unref();
          });
          await Promise.race([provider.shutdown(), timeout]).finally(() => clearTimeout(timer));
        } finally {
          trace.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return stopped;
    },
  };
}

function samplerOf(config: SamplerConfig): Sampler {
  switch (config.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.ratio) });
    default: {
      const unknown: never = config;
      throw new Error(`unknown sampler ${String(unknown)}`);
    }
  }
}

/**
 * Runs `work` in a new span (a child of the active one) made active for everything it awaits, ending it when the
 * work settles; a failure is recorded on the span and rethrown. Off: `work(null)`, nothing else.
 * `options` (attributes, kind, links) is a function so that nothing is built while tracing is off.
 */
export function inSpan<T>(name: string, options: (() => SpanOptions) | null, work: (span: Span | null) => Promise<T>): Promise<T> {
  const active = activeTracer;
  if (active === null) return work(null);
  return active.startActiveSpan(name, options ? options() : {}, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed by `error`: its type as error.type, the exception as an event (message only, no stack data). */
export function recordFailure(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  span.setAttribute('error.type', name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 512) : undefined });
  if (error instanceof Error) span.recordException({ name, message: error.message.slice(0, 512) });
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** W3C trace context §3.3: at most 32 list members of at most 256 characters; we keep it only if it is that small. */
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

/**
 * A W3C `traceparent` (trace context §3.2) we store and pass on: version 00, lower-case hex, neither id all
 * zeros. Anything else (another version, upper case, padding) is not stored: null.
 */
export function validTraceparent(value: string | undefined | null): string | null {
  if (value === undefined || value === null || value.length !== 55) return null;
  const match = TRACEPARENT.exec(value);
  if (!match || match[1] === ZERO_TRACE_ID || match[2] === ZERO_SPAN_ID) return null;
  return value;
}

/** A `tracestate` small and printable enough to pass on (with a valid traceparent only); null otherwise. */
export function validTracestate(value: string | undefined | null): string | null {
  return value !== undefined && value !== null && TRACESTATE.test(value) ? value : null;
}

/**
 * The trace context worth keeping of a traceparent/tracestate pair (from request headers or stored metadata):
 * both when valid, the traceparent alone when the tracestate is not, nothing without a valid traceparent.
 */
export function validTraceContext(
  traceparent: string | undefined | null,
  tracestate: string | undefined | null,
): { readonly traceparent?: string; readonly tracestate?: string } {
  const parent = validTraceparent(traceparent);
  if (parent === null) return {};
  const state = validTracestate(tracestate);
  return state === null ? { traceparent: parent } : { traceparent: parent, tracestate: state };
}

/** The trace id of a valid traceparent. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/** `00-<trace id>-<span id>-<flags>` of a span context (trace context §3.2). */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The traceparent (and tracestate) of the active span while tracing is on; null when off or outside any span. */
export function activeTraceContext(): { readonly traceparent: string; readonly tracestate: string | null } | null {
  if (activeTracer === null) return null;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return null;
  return { traceparent: formatTraceparent(spanContext), tracestate: spanContext.traceState?.serialize() || null };
}
