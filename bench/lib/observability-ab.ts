import type { BackendName } from './backends.js';

/** The three configurations of issue 14 item 6, in their reference order (the first is the baseline). */
export const AB_CONFIGS = ['off', 'metrics', 'metrics+tracing'] as const;
export type AbConfigName = (typeof AB_CONFIGS)[number];

export const AB_LABELS: Record<AbConfigName, string> = {
  off: 'metrics off, tracing off',
  metrics: 'metrics on, tracing off',
  'metrics+tracing': 'metrics on, tracing on (OTLP/HTTP protobuf)',
};

/** Issue 14's targets: fewer writes/s than the baseline, at most (%). */
export const AB_TARGETS: Partial<Record<AbConfigName, number>> = { metrics: 5, 'metrics+tracing': 15 };

/**
 * The gateway's environment for a configuration. Only the standard variables (helper-common.md "Names fixed for
 * everyone"); the harness removes every inherited METRICS_* and OTEL_* first, so nothing else leaks in.
 */
export function abGatewayEnv(config: AbConfigName, otlpEndpoint: string): Record<string, string> {
  if (config === 'off') return { METRICS_ENABLED: 'false' };
  if (config === 'metrics') return { METRICS_ENABLED: 'true' };
  return {
    METRICS_ENABLED: 'true',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: 'scim-gateway-bench',
  };
}

/**
 * The order of the runs: rounds alternate forwards and backwards (A B C, C B A, A B C ...), so a machine that
 * slowly gets busier or quieter favours no configuration over two rounds.
 */
export function abRunOrder(rounds: number): { round: number; config: AbConfigName }[] {
  const order: { round: number; config: AbConfigName }[] = [];
  for (let round = 1; round <= rounds; round++) {
    const configs = round % 2 === 1 ? [...AB_CONFIGS] : [...AB_CONFIGS].reverse();
    for (const config of configs) order.push({ round, config });
  }
  return order;
}

export interface AbRun {
  readonly round: number;
  readonly config: AbConfigName;
  readonly writes: number;
  readonly writesPerSecond: number;
  /** Every write of the cycle (POST and PATCH of users and groups), ms. */
  readonly writeP50: number;
  readonly writeP99: number;
  readonly failures: number;
  /** What the in-process OTLP sink received during this run. */
  readonly traceRequests: number;
  readonly traceBytes: number;
  readonly otherRequests: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

export interface AbSummary {
  readonly config: AbConfigName;
  readonly runs: number;
  /** Medians over the rounds. */
  readonly writesPerSecond: number;
  readonly writeP50: number;
  readonly writeP99: number;
  /** Against the baseline's medians, in %: negative = fewer writes/s or lower latency. */
  readonly writesPerSecondDiff: number;
  readonly writeP50Diff: number;
  readonly writeP99Diff: number;
  readonly traceRequests: number;
  readonly traceBytes: number;
  readonly failures: number;
  /** The target for this configuration (max % fewer writes/s) and whether the medians meet it. */
  readonly target: number | null;
  readonly met: boolean | null;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const percentDiff = (value: number, baseline: number): number => ((value - baseline) / baseline) * 100;

/** Per configuration: medians over its runs and the differences against the baseline (`off`). */
export function summariseAb(runs: readonly AbRun[]): AbSummary[] {
  const medians = (config: AbConfigName) => {
    const mine = runs.filter((run) => run.config === config);
    return {
      mine,
      writesPerSecond: median(mine.map((run) => run.writesPerSecond)),
      writeP50: median(mine.map((run) => run.writeP50)),
      writeP99: median(mine.map((run) => run.writeP99)),
    };
  };
  const baseline = medians('off');
  return AB_CONFIGS.filter((config) => runs.some((run) => run.config === config)).map((config) => {
    const m = medians(config);
    const writesPerSecondDiff = percentDiff(m.writesPerSecond, baseline.writesPerSecond);
    const target = AB_TARGETS[config] ?? null;
    return {
      config,
      runs: m.mine.length,
      writesPerSecond: m.writesPerSecond,
      writeP50: m.writeP50,
      writeP99: m.writeP99,
      writesPerSecondDiff,
      writeP50Diff: percentDiff(m.writeP50, baseline.writeP50),
      writeP99Diff: percentDiff(m.writeP99, baseline.writeP99),
      traceRequests: m.mine.reduce((sum, run) => sum + run.traceRequests, 0),
      traceBytes: m.mine.reduce((sum, run) => sum + run.traceBytes, 0),
      failures: m.mine.reduce((sum, run) => sum + run.failures, 0),
      target,
      met: target === null || !Number.isFinite(writesPerSecondDiff) ? null : writesPerSecondDiff > -target,
    };
  });
}

export interface AbReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly backend: BackendName;
  readonly sizes: { readonly users: number; readonly groups: number; readonly groupSize: number; readonly warmupUsers: number; readonly concurrency: number };
  readonly rounds: number;
  readonly node: string;
  readonly gitCommit: string;
  readonly machine: string;
  readonly runs: readonly AbRun[];
  readonly summary: readonly AbSummary[];
}

export const AB_DOC_START = '<!-- bench:observability-ab:start (generated by npm run bench:observability -- --write-doc; edit outside these markers) -->';
export const AB_DOC_END = '<!-- bench:observability-ab:end -->';

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const signed = (value: number): string => (Number.isFinite(value) ? `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} %` : '–');
const whole = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-GB') : '–');

export function abMarkdown(report: AbReport): string {
  const out: string[] = [];
  const backend = report.backend === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL server';
  out.push('### Cost of watching: metrics and tracing on and off (issue 14, item 6), last run');
  out.push('');
  out.push(`- **Date**: ${report.startedAt} to ${report.finishedAt}; \`${report.command}\``);
  out.push(`- **Machine**: ${report.machine}; Node.js ${report.node}; gateway built from ${report.gitCommit}`);
  out.push(
    `- **Workload**: scenario (a), the Entra-like cycle (${whole(report.sizes.users)} users, ${whole(report.sizes.groups)} groups of ` +
      `${report.sizes.groupSize}, ${report.sizes.warmupUsers} warm-up users, concurrency ${report.sizes.concurrency}) on ${backend}, ` +
      `a fresh store and gateway per run; ${report.rounds} round${report.rounds === 1 ? '' : 's'}, alternating A B C / C B A; figures are medians over the rounds`,
  );
  out.push('- **Tracing on**: `OTEL_TRACES_EXPORTER=otlp`, `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`, to an OTLP/HTTP sink in the benchmark process (answers 200, decodes nothing)');
  out.push('');
  out.push('| Configuration | Writes/s | vs off | Write p50 (ms) | vs off | Write p99 (ms) | vs off | Target | OTLP requests (bytes) received | Failures |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|');
  for (const s of report.summary) {
    const target = s.target === null ? '–' : `< ${s.target} % fewer: ${s.met === null ? '–' : s.met ? '**met**' : '**not met**'}`;
    const baseline = s.config === 'off';
    out.push(
      `| ${AB_LABELS[s.config]} | ${whole(s.writesPerSecond)} | ${baseline ? '–' : signed(s.writesPerSecondDiff)} | ${fixed(s.writeP50)} | ${baseline ? '–' : signed(s.writeP50Diff)} | ` +
        `${fixed(s.writeP99)} | ${baseline ? '–' : signed(s.writeP99Diff)} | ${target} | ${whole(s.traceRequests)} (${whole(s.traceBytes)}) | ${s.failures} |`,
    );
  }
  out.push('');
  out.push('Every run:');
  out.push('');
  out.push('| Round | Configuration | Writes | Writes/s | Write p50 / p99 (ms) | OTLP requests | Load before → after |');
  out.push('|---:|---|---:|---:|---|---:|---|');
  for (const run of report.runs) {
    out.push(`| ${run.round} | ${AB_LABELS[run.config]} | ${whole(run.writes)} | ${whole(run.writesPerSecond)} | ${fixed(run.writeP50)} / ${fixed(run.writeP99)} | ${whole(run.traceRequests)} | ${run.loadBefore} → ${run.loadAfter} |`);
  }
  const silent = report.summary.find((s) => s.config === 'metrics+tracing' && s.traceRequests === 0);
  if (silent) {
    out.push('');
    out.push('**No trace reached the sink with tracing on**: the gateway exported nothing, so that row measures no tracing.');
  }
  return out.join('\n');
}
