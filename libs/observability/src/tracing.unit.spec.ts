import { afterEach, describe, expect, it } from '@jest/globals';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { activeTraceContext, formatTraceparent, inSpan, startTracing, tracer, validTraceparent, validTracestate, type Tracing } from './tracing.js';
import { statementOperation } from './tracing.pg.js';

const ON = { enabled: true, exporters: [], otlpUrl: null, serviceName: 'test', resourceAttributes: { team: 'iam' }, sampler: { kind: 'always_on' } } as const;

describe('validTraceparent (W3C trace context §3.2, version 00 only)', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  it.each([
    [valid, valid],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'],
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', null],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', null],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', null],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01', null],
    [` ${valid}`, null],
    [`${valid}-extra`, null],
    ['', null],
    [undefined, null],
  ])('%j -> %j', (value, expected) => {
    expect(validTraceparent(value)).toBe(expected);
  });

  it('passes on a printable tracestate of at most 512 characters only', () => {
    expect(validTracestate('vendor=abc,other=1')).toBe('vendor=abc,other=1');
    expect(validTracestate('a'.repeat(513))).toBeNull();
    expect(validTracestate('x=\n')).toBeNull();
    expect(validTracestate(undefined)).toBeNull();
  });

  it('formats a span context as a traceparent', () => {
    expect(formatTraceparent({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 })).toBe(valid);
    expect(formatTraceparent({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 })).toBe(valid.replace(/01$/, '00'));
  });
});

describe('statementOperation', () => {
  it.each([
    ['SELECT 1', 'SELECT'],
    ['  with recent AS (SELECT 1) SELECT * FROM recent', 'WITH'],
    ['\n\tinsert into t values ($1)', 'INSERT'],
    ['-- a comment first', null],
    ['', null],
  ])('%j -> %j', (text, expected) => {
    expect(statementOperation(text)).toBe(expected);
  });
});

describe('startTracing and inSpan', () => {
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it('off: registers nothing, and inSpan runs the work with no span and builds no options', async () => {
    tracing = startTracing({ enabled: false });
    expect(tracing.enabled).toBe(false);
    expect(tracer()).toBeNull();
    let built = false;
    const result = await inSpan('work', () => ((built = true), {}), async (span) => span);
    expect(result).toBeNull();
    expect(built).toBe(false);
    expect(activeTraceContext()).toBeNull();
  });

  it('on: nested spans are parent and child, with the resource and a failure recorded', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing(ON, exporter);
    expect(tracing.description).toBe('in-memory, sampler always_on, service.name test');
    let inner: string | null = null;
    await inSpan('outer', () => ({ attributes: { 'scim.test': 1 } }), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      inner = activeTraceContext()?.traceparent ?? null;
      await expect(inSpan('inner', null, () => Promise.reject(new RangeError('no')))).rejects.toThrow('no');
    });
    const [innerSpan, outerSpan] = exporter.getFinishedSpans();
    expect(outerSpan.name).toBe('outer');
    expect(outerSpan.attributes['scim.test']).toBe(1);
    expect(outerSpan.resource.attributes).toMatchObject({ 'service.name': 'test', team: 'iam' });
    expect(innerSpan.parentSpanContext?.spanId).toBe(outerSpan.spanContext().spanId);
    expect(innerSpan.spanContext().traceId).toBe(outerSpan.spanContext().traceId);
    expect(innerSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(innerSpan.attributes['error.type']).toBe('RangeError');
    expect(inner).toBe(formatTraceparent(outerSpan.spanContext()));
  });

  it('shutdown exports what is left and unregisters: the API is the no-op again', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing(ON, exporter);
    expect(() => startTracing(ON, exporter)).toThrow('already started');
    await tracing.shutdown();
    expect(tracer()).toBeNull();
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    // A second start in the same process works once the first has shut down (tests start one per gateway).
    tracing = startTracing(ON, exporter);
    expect(tracer()).not.toBeNull();
  });
});
