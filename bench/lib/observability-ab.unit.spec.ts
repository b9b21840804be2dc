import { describe, expect, it } from '@jest/globals';
import { abGatewayEnv, abMarkdown, abRunOrder, median, summariseAb, type AbRun } from './observability-ab.js';
import { startOtlpSink } from './otlp-sink.js';

const run = (round: number, config: AbRun['config'], writesPerSecond: number, p50: number, p99: number, traceRequests = 0): AbRun => ({
  round,
  config,
  writes: 4200,
  writesPerSecond,
  writeP50: p50,
  writeP99: p99,
  failures: 0,
  traceRequests,
  traceBytes: traceRequests * 1000,
  otherRequests: 0,
  loadBefore: '1.00',
  loadAfter: '1.00',
});

describe('observability A/B: the pure parts', () => {
  it('alternates the order over the rounds', () => {
    expect(abRunOrder(2).map(({ round, config }) => `${round}:${config}`)).toEqual([
      '1:off', '1:metrics', '1:metrics+tracing', '2:metrics+tracing', '2:metrics', '2:off',
    ]);
  });

  it('sets only the standard variables, tracing only in the third configuration', () => {
    expect(abGatewayEnv('off', 'http://127.0.0.1:1')).toEqual({ METRICS_ENABLED: 'false' });
    expect(abGatewayEnv('metrics', 'http://127.0.0.1:1')).toEqual({ METRICS_ENABLED: 'true' });
    expect(abGatewayEnv('metrics+tracing', 'http://127.0.0.1:1')).toMatchObject({
      METRICS_ENABLED: 'true',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
  });

  it('compares the medians with the baseline and checks the targets', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2])).toBe(1.5);
    const summary = summariseAb([
      run(1, 'off', 500, 10, 30),
      run(2, 'off', 520, 12, 34),
      run(1, 'metrics', 490, 10, 31),
      run(2, 'metrics', 480, 11, 33),
      run(1, 'metrics+tracing', 400, 14, 40, 12),
      run(2, 'metrics+tracing', 420, 15, 44, 13),
    ]);
    const by = Object.fromEntries(summary.map((s) => [s.config, s]));
    expect(by['off']).toMatchObject({ writesPerSecond: 510, writesPerSecondDiff: 0, target: null, met: null });
    expect(by['metrics']!.writesPerSecondDiff).toBeCloseTo(-4.9, 1);
    expect(by['metrics']).toMatchObject({ target: 5, met: true });
    expect(by['metrics+tracing']!.writesPerSecondDiff).toBeCloseTo(-19.6, 1);
    expect(by['metrics+tracing']).toMatchObject({ target: 15, met: false, traceRequests: 25, traceBytes: 25_000 });
    expect(by['metrics+tracing']!.writeP99Diff).toBeCloseTo(31.25, 2);
  });

  it('says so in the report when no trace reached the sink with tracing on', () => {
    const runs = [run(1, 'off', 500, 10, 30), run(1, 'metrics', 500, 10, 30), run(1, 'metrics+tracing', 500, 10, 30, 0)];
    const report = {
      startedAt: 'a', finishedAt: 'b', command: 'c', backend: 'pglite' as const, rounds: 1, node: '26.10.0', gitCommit: 'x', machine: 'm',
      sizes: { users: 100, groups: 5, groupSize: 10, warmupUsers: 10, concurrency: 8 }, runs, summary: summariseAb(runs),
    };
    expect(abMarkdown(report)).toContain('No trace reached the sink');
    expect(abMarkdown({ ...report, runs: [runs[0]], summary: summariseAb([runs[0]]) })).not.toContain('No trace reached the sink');
  });
});

describe('observability A/B: the OTLP/HTTP sink', () => {
  it('answers POST /v1/traces 200 with an empty body and counts requests and bytes; anything else 404', async () => {
    const sink = await startOtlpSink();
    try {
      const traces = await fetch(`${sink.endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(123) });
      expect(traces.status).toBe(200);
      expect((await traces.arrayBuffer()).byteLength).toBe(0);
      const other = await fetch(`${sink.endpoint}/v1/metrics`, { method: 'POST', body: 'x' });
      expect(other.status).toBe(404);
      await other.arrayBuffer();
      expect(sink.counts()).toEqual({ traceRequests: 1, traceBytes: 123, otherRequests: 1 });
    } finally {
      await sink.close();
    }
  });
});
