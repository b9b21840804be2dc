import fs from 'node:fs';
import path from 'node:path';
import { BACKENDS, cleanUpOnSignals, describeServer, type BackendName } from './lib/backends.js';
import type { BenchOptions, ScenarioContext, ScenarioName, ScenarioResult } from './lib/context.js';
import { DIST_ROOT, GATEWAY_MAIN } from './lib/gateway-process.js';
import { loadAverage } from './lib/proc.js';
import { consoleSummary, machineFacts, resultsMarkdown, writeDoc, type RunRecord } from './lib/report.js';
import { runEntraCycle } from './scenarios/a-entra-cycle.js';
import { runFilterGets } from './scenarios/b-filter-gets.js';
import { runBigGroupPatch } from './scenarios/c-big-group-patch.js';
import { runRawInserts } from './scenarios/d-raw-inserts.js';
import { KAFKA_OPTION_NAMES, KAFKA_SCENARIOS, kafkaBenchOptions, kafkaSummary, type KafkaScenarioName, type KafkaScenarioResult } from './lib/kafka-bench.js';
import { runKafkaLag } from './scenarios/e-kafka-lag.js';
import { runKafkaReplay } from './scenarios/f-kafka-replay.js';

const REPO_ROOT = path.resolve(DIST_ROOT, '..');
const SCENARIOS: readonly ScenarioName[] = ['a', 'b', 'c', 'd'];
// The raw insert rate first: it is the reference the others are compared with. Backends alternate per scenario
// so both see similar machine load.
const RUN_ORDER: readonly ScenarioName[] = ['d', 'a', 'b', 'c'];
const RUNNERS: Record<ScenarioName, (context: ScenarioContext) => Promise<ScenarioResult>> = {
  a: runEntraCycle,
  b: runFilterGets,
  c: runBigGroupPatch,
  d: runRawInserts,
};
// Issue 5's Kafka scenarios: only with KAFKA_BROKERS; their figures go to docs/benchmarks-kafka.md by hand.
const KAFKA_RUNNERS: Record<KafkaScenarioName, (context: ScenarioContext, kafka: NonNullable<ReturnType<typeof kafkaBenchOptions>>) => Promise<KafkaScenarioResult>> = {
  e: runKafkaLag,
  f: runKafkaReplay,
};

const HELP = `Benchmarks of the built gateway (run \`npm run build\` first; \`npm run bench\` does both).

  npx node dist/bench/run.js [--scenario=a,b,c,d,e,f] [--backend=pglite,postgres] [options]

Scenarios: a = Entra-like initial cycle, b = filter GETs with 100,000 users, c = one-member PATCH on a
100,000-member group vs an empty group, d = raw single-row INSERT rate, e = end-to-end lag from a SCIM write's
response to a Kafka subscriber, f = replay to Kafka (events/s). Default: all, on both backends; e and f only
with KAFKA_BROKERS set (docs/benchmarks-kafka.md).

  --database-url=URL     server to create the bench databases on (default $BENCH_DATABASE_URL or
                         postgres://postgres@127.0.0.1:54329/postgres); databases bench_* are dropped afterwards
  --users=2000 --groups=100 --group-size=20 --warmup-users=50 --concurrency=8      (a)
  --seed-users=100000 --seed-via-port=1000 --filter-gets=2000                       (b)
  --filter-gets-serial=500  the same GETs one at a time as well (service time without queueing)
  --big-group=100000 --patches=300                                                  (c)
  --raw-seconds=5 --raw-connections=8                                               (d)
  --kafka-rate=200 --kafka-seconds=60 --kafka-warmup-seconds=5 --consumer-max-wait-ms=100    (e)
  --replay-users=50000 --replay-groups=2500 --replay-group-size=20 --replay-batch-size=2000 (f)
  --cpu-prof             profile the gateway during (a) and (b)'s GETs at concurrency 8 (node --cpu-prof) and summarise it
  --analyze              diagnostic (b): stop the gateway after the catch-up, ANALYZE the database and VACUUM
                         scim_users, start it again, then measure (the gateway ANALYZEs after a large catch-up, never VACUUMs)
  --ryw-timeout-ms=N     diagnostic: start the gateway with READ_YOUR_WRITES_TIMEOUT_MS=N (0 = writes do not
                         wait for the read model), to measure what the read-your-writes wait costs
  --quick                small sizes, to check that everything runs
  --doc=FILE             where to write the results (default docs/benchmarks.md); written only by a run of
                         every scenario on both backends, unless --write-doc; --no-doc never writes it
`;

function parseArgs(argv: readonly string[]): {
  options: BenchOptions;
  scenarios: ScenarioName[];
  kafkaScenarios: KafkaScenarioName[];
  kafka: ReturnType<typeof kafkaBenchOptions>;
  backends: BackendName[];
  doc: string | null;
  forceDoc: boolean;
} {
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
  const known = new Set([
    'scenario', 'backend', 'database-url', 'users', 'groups', 'group-size', 'warmup-users', 'concurrency', 'seed-users', 'seed-via-port',
    'filter-gets', 'filter-gets-serial', 'ryw-timeout-ms', 'analyze', 'big-group', 'patches', 'raw-seconds', 'raw-connections', 'cpu-prof', 'quick', 'doc', 'no-doc', 'write-doc',
    ...KAFKA_OPTION_NAMES,
  ]);
  for (const key of values.keys()) if (!known.has(key)) throw new Error(`unknown option --${key} (see --help)`);
  const quick = values.has('quick');
  const int = (key: string, normal: number, small: number): number => {
    const raw = values.get(key);
    if (raw === undefined) return quick ? small : normal;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${key} must be a non-negative integer`);
    return value;
  };
  const list = <T extends string>(key: string, all: readonly T[]): T[] => {
    const raw = values.get(key);
    if (raw === undefined || raw === 'all') return [...all];
    const chosen = raw.split(',').map((item) => item.trim()) as T[];
    for (const item of chosen) if (!all.includes(item)) throw new Error(`--${key}: ${item} is not one of ${all.join(', ')}`);
    return chosen;
  };
  const options: BenchOptions = {
    users: int('users', 2000, 100),
    groups: int('groups', 100, 5),
    groupSize: int('group-size', 20, 10),
    warmupUsers: int('warmup-users', 50, 10),
    concurrency: Math.max(1, int('concurrency', 8, 8)),
    seedUsers: Math.max(1, int('seed-users', 100_000, 5000)),
    seedViaPort: int('seed-via-port', 1000, 200),
    filterGets: Math.max(1, int('filter-gets', 2000, 200)),
    filterGetsSerial: int('filter-gets-serial', 500, 50),
    bigGroup: int('big-group', 100_000, 5000),
    patches: Math.max(1, int('patches', 300, 30)),
    rawSeconds: Math.max(1, int('raw-seconds', 5, 2)),
    rawConnections: Math.max(1, int('raw-connections', 8, 8)),
    cpuProfile: values.has('cpu-prof'),
    analyse: values.has('analyze'),
    readYourWritesTimeoutMs: values.has('ryw-timeout-ms') ? int('ryw-timeout-ms', 5000, 5000) : null,
    adminUrl: values.get('database-url') ?? process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:54329/postgres',
    resultsDir: path.join(REPO_ROOT, 'bench', 'results'),
  };
  const doc = values.has('no-doc') ? null : path.resolve(REPO_ROOT, values.get('doc') ?? 'docs/benchmarks.md');
  const chosen = list<ScenarioName | KafkaScenarioName>('scenario', [...SCENARIOS, ...KAFKA_SCENARIOS]);
  return {
    options,
    scenarios: SCENARIOS.filter((s) => chosen.includes(s)),
    kafkaScenarios: KAFKA_SCENARIOS.filter((s) => chosen.includes(s)),
    kafka: kafkaBenchOptions(values, quick, process.env['KAFKA_BROKERS']),
    backends: list('backend', BACKENDS),
    doc,
    forceDoc: values.has('write-doc'),
  };
}

function pgliteVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const { options, scenarios, kafkaScenarios, kafka, backends, doc, forceDoc } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} is missing: run npm run build first`);
  fs.mkdirSync(options.resultsDir, { recursive: true });
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const log = (message: string) => process.stdout.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  log(`load average ${loadAtStart}; scenarios ${scenarios.join(',')} on ${backends.join(',')}`);

  const server = await describeServer(options.adminUrl);
  const skipped: string[] = [];
  let runnable = backends;
  if (!server.reachable && backends.includes('postgres')) {
    skipped.push(`PostgreSQL server at ${options.adminUrl} unreachable (${server.reason})`);
    runnable = backends.filter((backend) => backend !== 'postgres');
    log(`skipping the PostgreSQL server: ${server.reason}`);
  }

  const results: ScenarioResult[] = [];
  for (const scenario of RUN_ORDER.filter((s) => scenarios.includes(s))) {
    for (const backend of runnable) {
      const context: ScenarioContext = { backend, options, log: (message) => log(`(${scenario}/${backend}) ${message}`) };
      context.log(`start; load average ${loadAverage()}`);
      const started = performance.now();
      try {
        const result = await RUNNERS[scenario](context);
        results.push(result);
        context.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s; load average ${loadAverage()}${result.failures > 0 ? `; ${result.failures} FAILURES: ${result.failureMessages.slice(0, 3).join(' | ')}` : ''}`);
      } catch (error) {
        const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
        skipped.push(`scenario ${scenario} on ${backend} failed: ${reason.split('\n')[0]}`);
        context.log(`FAILED: ${reason}`);
      }
    }
  }

  const kafkaResults: KafkaScenarioResult[] = [];
  const kafkaFailed: string[] = []; // kept apart from `skipped`: a Kafka failure does not stop docs/benchmarks.md being written
  if (kafkaScenarios.length > 0 && !kafka) log(`skipping scenarios ${kafkaScenarios.join(',')} (Kafka): KAFKA_BROKERS is not set`);
  for (const scenario of kafka ? kafkaScenarios : []) {
    for (const backend of runnable) {
      const context: ScenarioContext = { backend, options, log: (message) => log(`(${scenario}/${backend}) ${message}`) };
      context.log(`start; load average ${loadAverage()}`);
      try {
        const result = await KAFKA_RUNNERS[scenario](context, kafka!);
        kafkaResults.push(result);
        context.log(`done; load average ${loadAverage()}${result.failures > 0 ? `; ${result.failures} FAILURES: ${result.failureMessages.slice(0, 3).join(' | ')}` : ''}`);
      } catch (error) {
        const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
        kafkaFailed.push(`scenario ${scenario} on ${backend} failed: ${reason.split('\n')[0]}`);
        context.log(`FAILED: ${reason}`);
      }
    }
  }

  const finishedAt = new Date();
  const run: RunRecord = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    command: `node dist/bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    options,
    machine: machineFacts(server.reachable ? `${server.version} (${server.settings})` : 'not reachable', pgliteVersion(), REPO_ROOT),
    scenarios,
    backends,
    results,
    skipped,
    loadAtStart,
    loadAtEnd: loadAverage(),
  };
  const resultsFile = path.join(options.resultsDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(resultsFile, JSON.stringify(kafkaResults.length > 0 ? { ...run, kafka: kafkaResults } : run, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
  fs.copyFileSync(resultsFile, path.join(options.resultsDir, 'latest.json'));

  if (scenarios.length > 0) process.stdout.write(`\n${consoleSummary(run)}\n\n`);
  if (kafkaResults.length > 0) process.stdout.write(`\n${kafkaSummary(kafkaResults)}\n\n`);
  if (skipped.length > 0) process.stdout.write(`Not run: ${skipped.join('\n         ')}\n`);
  process.stdout.write(`Raw results: ${path.relative(process.cwd(), resultsFile)}\n`);
  for (const result of results) {
    if ((result.scenario !== 'a' && result.scenario !== 'b') || !result.profile) continue;
    const p = result.profile;
    process.stdout.write(`CPU profile of the gateway during (${result.scenario}) on ${result.backend} (${p.file}): idle ${p.idlePercent.toFixed(0)} %\n`);
    for (const area of p.areas.slice(0, 12)) process.stdout.write(`  ${area.percentOfBusy.toFixed(1).padStart(5)} %  ${area.area}\n`);
    process.stdout.write('  top functions (self time, % of busy):\n');
    for (const f of p.topFunctions.slice(0, 25)) process.stdout.write(`  ${f.percentOfBusy.toFixed(1).padStart(5)} %  ${f.fn}  ${f.where}\n`);
  }
  // Diagnostic runs change what is measured: they never replace the reported figures.
  const diagnostic = options.cpuProfile || options.readYourWritesTimeoutMs !== null || options.analyse;
  const complete = scenarios.length === SCENARIOS.length && runnable.length === BACKENDS.length && skipped.length === 0 && !diagnostic;
  if (doc && (complete || forceDoc)) {
    writeDoc(doc, resultsMarkdown(run, path.relative(REPO_ROOT, resultsFile)));
    process.stdout.write(`Wrote ${path.relative(process.cwd(), doc)}\n`);
  } else if (doc) {
    process.stdout.write(`${path.relative(process.cwd(), doc)} not written (a partial or diagnostic run; add --write-doc to write it anyway)\n`);
  }
  process.stdout.write(`Total ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s\n`);
  if (kafkaFailed.length > 0) process.stdout.write(`Kafka scenarios not run: ${kafkaFailed.join('\n         ')}\n`);
  if (results.some((result) => result.failures > 0) || skipped.some((reason) => reason.startsWith('scenario'))) process.exitCode = 1;
  if (kafkaFailed.length > 0 || kafkaResults.some((result) => result.failures > 0)) process.exitCode = 1;
}

cleanUpOnSignals();

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
