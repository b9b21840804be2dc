import { adminQuery, BACKENDS, createStorage, disposeAllStorage, type BackendName } from './lib/backends.js';
import { GatewayProcess, killAllGateways } from './lib/gateway-process.js';
import { createFuzzTenant, runHostileFuzz, seedFuzzTargets, type FuzzReport } from './lib/hostile-fuzz.js';

const HELP = `The hostile-input fuzz of issue 12 against built gateways (run \`npm run build\` first; \`npm run fuzz:hostile\`
does both): for each backend, a fresh gateway process, a tenant of its own with a few users and groups, then
N hostile requests (bench/lib/hostile-requests.ts) one at a time. Reports the answers by status, every answer
that is a 5xx or an improper SCIM error, refused requests that stored events, the gateway's RSS before and after,
and (PostgreSQL server) the gateway's statements still running on the server after the last answer.

  npx node dist/bench/hostile-fuzz.js [--requests=5000] [--seed=1] [--backend=pglite,postgres] [--database-url=URL]
  npx node dist/bench/hostile-fuzz.js --url=http://host:port --admin-token=T [--requests=5000] [--seed=1]
      (a gateway that is already running: its log shows the cause of each 5xx; no RSS figures)

Exit code 1 when any finding was made.
`;

const ADMIN_TOKEN = 'fuzz-admin-token-0123456789abcdef';

interface BackendResult {
  readonly backend: BackendName;
  readonly report: FuzzReport;
  readonly rssBeforeMb: number | null;
  /** 5 s after the last answer. */
  readonly rssSoonAfterMb: number | null;
  /** Once the process has been quiet (back within 20 MB of before, or 90 s). */
  readonly rssAfterMb: number | null;
  readonly peakRssMb: number | null;
  readonly lingering: number | null;
  readonly seconds: number;
}

function parseArgs(argv: readonly string[]): { requests: number; seed: number; backends: BackendName[]; adminUrl: string; url?: string; adminToken?: string } {
  const values = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    }
    const match = /^--(requests|seed|backend|database-url|url|admin-token)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (see --help)`);
    values.set(match[1], match[2]);
  }
  const backends = (values.get('backend') ?? BACKENDS.join(',')).split(',') as BackendName[];
  for (const backend of backends) if (!BACKENDS.includes(backend)) throw new Error(`--backend: ${backend} is not one of ${BACKENDS.join(', ')}`);
  return {
    requests: Number(values.get('requests') ?? 5000),
    seed: Number(values.get('seed') ?? 1),
    backends,
    adminUrl: values.get('database-url') ?? process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:54329/postgres',
    url: values.get('url'),
    adminToken: values.get('admin-token'),
  };
}

/** Against a gateway someone else started (`--url`): the same requests and oracle, without RSS or server figures. */
async function fuzzRunningGateway(baseUrl: string, adminToken: string, options: ReturnType<typeof parseArgs>): Promise<BackendResult> {
  const started = performance.now();
  const { tenantId, scimToken } = await createFuzzTenant(baseUrl, adminToken);
  const tokens = { scim: scimToken, admin: adminToken };
  const targets = await seedFuzzTargets(baseUrl, tokens, tenantId);
  const report = await runHostileFuzz({ baseUrl, tokens, targets, count: options.requests, seed: options.seed });
  return { backend: baseUrl as BackendName, report, rssBeforeMb: null, rssSoonAfterMb: null, rssAfterMb: null, peakRssMb: null, lingering: null, seconds: (performance.now() - started) / 1000 };
}

async function fuzzBackend(backend: BackendName, options: ReturnType<typeof parseArgs>): Promise<BackendResult> {
  const storage = await createStorage(backend, 'hostile_fuzz', options.adminUrl);
  const gateway = await GatewayProcess.start({ label: `hostile fuzz on ${backend}`, storageEnv: storage.gatewayEnv, extraEnv: { ADMIN_TOKEN, LOG_LEVEL: 'error' } });
  const started = performance.now();
  try {
    const baseUrl = `http://127.0.0.1:${gateway.port}`;
    const { tenantId, scimToken } = await createFuzzTenant(baseUrl, ADMIN_TOKEN);
    const tokens = { scim: scimToken, admin: ADMIN_TOKEN };
    const targets = await seedFuzzTargets(baseUrl, tokens, tenantId);
    const rssBeforeMb = gateway.currentRssMb();
    const report = await runHostileFuzz({
      baseUrl,
      tokens,
      targets,
      count: options.requests,
      seed: options.seed,
      onProgress: (sent) => {
        if (sent % 500 === 0) process.stdout.write(`  ${backend}: ${sent} sent, RSS ${gateway.currentRssMb()} MB\n`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    // RSS right after the run holds the garbage of 5,000 requests (V8 grows its heap under a high allocation rate
    // and gives it back only once the process has been quiet a while: its memory reducer). So: 5 s after, for the
    // provisioning log's last batch, and again once quiet (up to 90 s), which is the steady level the issue asks for.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const rssSoonAfterMb = gateway.currentRssMb();
    let rssAfterMb = rssSoonAfterMb;
    for (let waited = 0; waited < 90_000 && rssBeforeMb !== null && (rssAfterMb ?? Infinity) > rssBeforeMb + 20; waited += 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      rssAfterMb = gateway.currentRssMb();
    }
    const lingering = backend === 'postgres' ? await lingeringStatements(options.adminUrl, storage.gatewayEnv['DATABASE_URL']!) : null;
    const stopped = await gateway.stop();
    return { backend, report, rssBeforeMb, rssSoonAfterMb, rssAfterMb, peakRssMb: stopped.peakRssMb, lingering, seconds };
  } finally {
    await gateway.stop().catch(() => undefined);
    await storage.dispose();
  }
}

/** Statements of the gateway's database still active on the server (none should be, once every answer is in). */
async function lingeringStatements(adminUrl: string, databaseUrl: string): Promise<number> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const rows = await adminQuery<{ n: string }>(adminUrl, `SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`, [database]);
  return Number(rows[0].n);
}

function summarise(result: BackendResult): string {
  const { report } = result;
  const statuses = [...report.statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
  const fivexx = [...report.statuses.entries()].filter(([status]) => status >= 500 || status === 0).reduce((sum, [, count]) => sum + count, 0);
  const lines = [
    `== ${result.backend}: ${report.requests} hostile requests in ${result.seconds.toFixed(0)} s`,
    `   answers by status: ${statuses}`,
    `   5xx or no answer: ${fivexx}; improper answers (findings): ${report.findings.length}; refused but stored: ${report.storedOnError}`,
  ];
  if (result.rssBeforeMb !== null) {
    lines.push(`   gateway RSS: ${result.rssBeforeMb.toFixed(0)} MB before, ${result.rssSoonAfterMb?.toFixed(0)} MB 5 s after, ${result.rssAfterMb?.toFixed(0)} MB once quiet (peak ${result.peakRssMb?.toFixed(0)} MB)`);
  }
  if (result.lingering !== null) lines.push(`   statements still active on the server after the last answer: ${result.lingering}`);
  for (const finding of report.findings.slice(0, 40)) lines.push(`   - ${finding.status} ${finding.problems.join('; ')}: ${finding.request}\n       ${finding.body}`);
  if (report.findings.length > 40) lines.push(`   ... and ${report.findings.length - 40} more`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let failed = false;
  if (options.url !== undefined && options.adminToken === undefined) throw new Error('--url needs --admin-token');
  const runs = options.url !== undefined ? [() => fuzzRunningGateway(options.url!, options.adminToken!, options)] : options.backends.map((backend) => () => fuzzBackend(backend, options));
  for (const run of runs) {
    const result = await run();
    process.stdout.write(`${summarise(result)}\n`);
    if (result.report.findings.length > 0 || result.report.storedOnError > 0 || (result.lingering ?? 0) > 0) failed = true;
  }
  if (failed) process.exitCode = 1;
}

process.on('SIGINT', () => {
  killAllGateways();
  void disposeAllStorage().finally(() => process.exit(130));
});

main().catch(async (error: unknown) => {
  killAllGateways();
  await disposeAllStorage();
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

