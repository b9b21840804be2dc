import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKENDS, cleanUpOnSignals, describeServer, type BackendName } from './lib/backends.js';
import type { BenchOptions, CycleResult } from './lib/context.js';
import { DIST_ROOT, GATEWAY_MAIN } from './lib/gateway-process.js';
import {
  AB_DOC_END,
  AB_DOC_START,
  AB_LABELS,
  abGatewayEnv,
  abMarkdown,
  abRunOrder,
  summariseAb,
  type AbReport,
  type AbRun,
} from './lib/observability-ab.js';
import { startOtlpSink } from './lib/otlp-sink.js';
import { loadAverage } from './lib/proc.js';
import { machineFacts, writeDoc } from './lib/report.js';
import { runEntraCycle } from './scenarios/a-entra-cycle.js';

const REPO_ROOT = path.resolve(DIST_ROOT, '..');

const HELP = `The cost of watching (issue 14, item 6): scenario (a), the Entra-like cycle, on one backend, with
  off               METRICS_ENABLED=false, no OTEL_* exporter
  metrics           METRICS_ENABLED=true, no OTEL_* exporter
  metrics+tracing   METRICS_ENABLED=true, OTEL_TRACES_EXPORTER=otlp to an OTLP/HTTP (protobuf) sink in this process
alternating over the rounds (A B C, C B A, ...), each run on a fresh store and a fresh gateway. Reports writes/s
and write p50/p99 (medians over the rounds) and their difference against "off". Run \`npm run build\` first
(\`npm run bench:observability\` does both).

  npx node dist/bench/observability-ab.js [--backend=pglite|postgres] [--rounds=2] [options]

  --users=2000 --groups=100 --group-size=20 --warmup-users=50 --concurrency=8   (scenario a's sizes)
  --quick                small sizes (100 users, 5 groups), to check that it runs
  --database-url=URL     the server for --backend=postgres (default $BENCH_DATABASE_URL or
                         postgres://postgres@127.0.0.1:54329/postgres)
  --write-doc            write the results to docs/benchmarks.md between the markers of this benchmark
  --doc=FILE             another file for --write-doc
`;

interface AbArgs {
  readonly options: BenchOptions;
  readonly backend: BackendName;
  readonly rounds: number;
  readonly doc: string | null;
}

function parseArgs(argv: readonly string[]): AbArgs {
  const values = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (see --help)`);
    values.set(match[1], match[2] ?? 'true');
  }
  const known = new Set(['backend', 'rounds', 'users', 'groups', 'group-size', 'warmup-users', 'concurrency', 'quick', 'database-url', 'write-doc', 'doc']);
  for (const key of values.keys()) if (!known.has(key)) throw new Error(`unknown option --${key} (see --help)`);
  const quick = values.has('quick');
  const int = (key: string, normal: number, small: number, min = 0, max = 1_000_000): number => {
    const raw = values.get(key);
    if (raw === undefined) return quick ? small : normal;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${key} must be an integer from ${min} to ${max}`);
    return value;
  };
  const backend = (values.get('backend') ?? 'pglite') as BackendName;
  if (!BACKENDS.includes(backend)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}`);
  const options: BenchOptions = {
    users: int('users', 2000, 100, 1),
    groups: int('groups', 100, 5, 1),
    groupSize: int('group-size', 20, 10, 1, 10_000),
    warmupUsers: int('warmup-users', 50, 10),
    concurrency: int('concurrency', 8, 8, 1, 1000),
    // Not used by scenario (a).
    seedUsers: 1,
    seedViaPort: 0,
    filterGets: 1,
    filterGetsSerial: 0,
    bigGroup: 0,
    patches: 1,
    rawSeconds: 1,
    rawConnections: 1,
    cpuProfile: false,
    analyse: false,
    readYourWritesTimeoutMs: null,
    adminUrl: values.get('database-url') ?? process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:54329/postgres',
    resultsDir: path.join(REPO_ROOT, 'bench', 'results'),
  };
  const doc = values.has('write-doc') ? path.resolve(REPO_ROOT, values.get('doc') ?? 'docs/benchmarks.md') : null;
  return { options, backend, rounds: int('rounds', 2, 1, 1, 20), doc };
}

async function main(): Promise<void> {
  const { options, backend, rounds, doc } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} is missing: run npm run build first`);
  // The configurations set these themselves: none may come from the calling shell.
  for (const key of Object.keys(process.env)) if (/^(METRICS_|OTEL_)/.test(key)) delete process.env[key];
  fs.mkdirSync(options.resultsDir, { recursive: true });

  const startedAt = new Date();
  const log = (message: string) => process.stdout.write(`[observability-ab ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  const server = backend === 'postgres' ? await describeServer(options.adminUrl) : null;
  if (server && !server.reachable) throw new Error(`the PostgreSQL server at ${options.adminUrl} is unreachable: ${server.reason}`);

  const sink = await startOtlpSink();
  log(`OTLP/HTTP sink on ${sink.endpoint}; ${rounds} round(s) of scenario (a) on ${backend}; load average ${loadAverage()}`);
  const runs: AbRun[] = [];
  try {
    for (const { round, config } of abRunOrder(rounds)) {
      const before = sink.counts();
      const loadBefore = loadAverage();
      const context = {
        backend,
        options: { ...options, gatewayEnv: abGatewayEnv(config, sink.endpoint) },
        log: (message: string) => log(`(round ${round}, ${config}) ${message}`),
      };
      context.log(`start; load average ${loadBefore}`);
      const result: CycleResult = await runEntraCycle(context);
      // Counted after runEntraCycle has stopped the gateway (SIGTERM): spans flushed at shutdown are included.
      const after = sink.counts();
      const run: AbRun = {
        round,
        config,
        writes: result.writes,
        writesPerSecond: result.writesPerSecond,
        writeP50: result.allWrites.p50,
        writeP99: result.allWrites.p99,
        failures: result.failures,
        traceRequests: after.traceRequests - before.traceRequests,
        traceBytes: after.traceBytes - before.traceBytes,
        otherRequests: after.otherRequests - before.otherRequests,
        loadBefore,
        loadAfter: loadAverage(),
      };
      runs.push(run);
      context.log(
        `${run.writes} writes, ${run.writesPerSecond.toFixed(0)} writes/s, write p50 ${run.writeP50.toFixed(1)} ms, p99 ${run.writeP99.toFixed(1)} ms; ` +
          `OTLP sink: ${run.traceRequests} trace requests (${run.traceBytes} bytes), ${run.otherRequests} other` +
          (run.failures > 0 ? `; ${run.failures} FAILURES: ${result.failureMessages.slice(0, 3).join(' | ')}` : ''),
      );
    }
  } finally {
    await sink.close();
  }

  const finishedAt = new Date();
  const facts = machineFacts(server?.reachable ? `${server.version}` : 'not used', 'see package.json', REPO_ROOT);
  const report: AbReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    command: `npx node dist/bench/observability-ab.js ${process.argv.slice(2).join(' ')}`.trim(),
    backend,
    sizes: { users: options.users, groups: options.groups, groupSize: options.groupSize, warmupUsers: options.warmupUsers, concurrency: options.concurrency },
    rounds,
    node: process.versions.node,
    gitCommit: facts.gitCommit,
    machine: `${facts.cpus} cores (${facts.cpuModel}), ${facts.memoryGb} GB RAM, ${os.type()} ${os.release()}`,
    runs,
    summary: summariseAb(runs),
  };
  const resultsFile = path.join(options.resultsDir, `observability-ab-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(resultsFile, JSON.stringify(report, null, 2));

  process.stdout.write('\n');
  for (const s of report.summary) {
    const versus = s.config === 'off' ? '(baseline)' : `${s.writesPerSecondDiff.toFixed(1)} % writes/s, p50 ${s.writeP50Diff.toFixed(1)} %, p99 ${s.writeP99Diff.toFixed(1)} % vs off`;
    const target = s.target === null ? '' : `; target < ${s.target} % fewer writes/s: ${s.met ? 'met' : 'NOT met'}`;
    process.stdout.write(
      `${AB_LABELS[s.config].padEnd(45)} ${s.writesPerSecond.toFixed(0).padStart(6)} writes/s, p50 ${s.writeP50.toFixed(1)} ms, p99 ${s.writeP99.toFixed(1)} ms ${versus}${target}; OTLP ${s.traceRequests} requests\n`,
    );
  }
  if (report.summary.some((s) => s.config === 'metrics+tracing' && s.traceRequests === 0)) {
    process.stdout.write('WARNING: no trace reached the OTLP sink with tracing on: that configuration measured no tracing\n');
  }
  process.stdout.write(`Raw results: ${path.relative(process.cwd(), resultsFile)}\n`);
  if (doc) {
    writeDoc(doc, abMarkdown(report), { start: AB_DOC_START, end: AB_DOC_END });
    process.stdout.write(`Wrote ${path.relative(process.cwd(), doc)}\n`);
  }
  if (runs.some((run) => run.failures > 0)) process.exitCode = 1;
}

cleanUpOnSignals();

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
