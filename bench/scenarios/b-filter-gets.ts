import fs from 'node:fs';
import path from 'node:path';
import { createStorage } from '../lib/backends.js';
import type { FilterResult, ScenarioContext } from '../lib/context.js';
import { analyseDatabase, explainUserFilters, measureStorePoll } from '../lib/explain.js';
import { BENCH_TOKEN, GatewayProcess, gatewayDiagnosticsEnv } from '../lib/gateway-process.js';
import { filterPath, ScimClient, totalResultsOf } from '../lib/http-client.js';
import { CpuMeter, loadAverage } from '../lib/proc.js';
import { seededUserKeys, seedUsers } from '../lib/seed.js';
import { summariseCpuProfile } from '../lib/cpu-profile.js';
import { LatencyRecorder, prng, runPool } from '../lib/stats.js';

/** Entra's matching filters (ENTRA.md "A provisioning cycle") and the index each should use. */
export const MATCHING_FILTERS = [
  { name: 'userName eq', expectedIndex: 'scim_users_user_name_lower', filterOf: (n: number) => `userName eq "${seededUserKeys(n).userName}"` },
  { name: 'externalId eq', expectedIndex: 'scim_users_external_id', filterOf: (n: number) => `externalId eq "${seededUserKeys(n).externalId}"` },
  {
    name: 'emails[type eq "work"].value eq',
    expectedIndex: 'scim_users_work_emails_lower',
    filterOf: (n: number) => `emails[type eq "work"].value eq "${seededUserKeys(n).workEmail}"`,
  },
] as const;

const WARMUP_GETS = 200;
/** A series stops after this long even if it has not made all its GETs (the count is reported). */
const MAX_SERIES_MS = 120_000;

/**
 * Filter GETs with `seedUsers` users stored: the users are seeded as events with the gateway stopped, the
 * gateway then starts and projects them (time to /ready), and each matching filter is asked `filterGets` times
 * for random stored users at `concurrency` in flight; every answer must be exactly that one user.
 * Afterwards, with the gateway stopped, EXPLAIN ANALYZE of the SQL the read model runs for each filter.
 */
export async function runFilterGets(context: ScenarioContext): Promise<FilterResult> {
  const { options, backend } = context;
  const storage = await createStorage(backend, 'gateway_b', options.adminUrl);
  const loadBefore = loadAverage();
  let gateway: GatewayProcess | null = null;
  try {
    const seedStarted = performance.now();
    const direct = await storage.open(4);
    let seed;
    try {
      seed = await seedUsers(direct.connectionString, options.seedUsers, { viaPort: options.seedViaPort });
    } finally {
      await direct.close();
    }
    const seedMs = performance.now() - seedStarted;
    context.log(
      `seeded ${seed.users} users (${seed.events} events) in ${(seedMs / 1000).toFixed(1)} s: ` +
        `${seed.viaPortUsers} via appendToStreams at ${seed.viaPortUsersPerSecond.toFixed(0)} users/s, ` +
        `${seed.bulkUsers} in bulk at ${seed.bulkUsersPerSecond.toFixed(0)} users/s`,
    );

    const profileDir = options.cpuProfile ? path.join(options.resultsDir, `cpu-profile-b-${backend}-${Date.now()}`) : undefined;
    if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
    gateway = await GatewayProcess.start({ label: `b/${backend}`, storageEnv: storage.gatewayEnv, extraEnv: gatewayDiagnosticsEnv(options), cpuProfileDir: profileDir });
    const startTimes = { listeningMs: gateway.listeningMs, readyMs: gateway.readyMs };
    let analysed: FilterResult['analysed'];
    if (options.analyse) {
      await gateway.stop();
      gateway = null;
      const connection = await storage.open(2);
      try {
        analysed = await analyseDatabase(connection.connectionString);
      } finally {
        await connection.close();
      }
      context.log(`diagnostic: ANALYZE ${analysed.analyzeMs.toFixed(0)} ms, VACUUM scim_users ${analysed.vacuumMs.toFixed(0)} ms; restarting the gateway`);
      gateway = await GatewayProcess.start({ label: `b/${backend}`, storageEnv: storage.gatewayEnv, extraEnv: gatewayDiagnosticsEnv(options) });
    }
    context.log(`gateway listening after ${(gateway.listeningMs / 1000).toFixed(1)} s, ready (projection caught up) after ${(gateway.readyMs / 1000).toFixed(1)} s`);
    const client = new ScimClient(gateway.port, BENCH_TOKEN, options.concurrency);
    const random = prng(20_251_123);
    const pick = () => Math.floor(random() * options.seedUsers);

    gateway.startWindow();
    const recorder = new LatencyRecorder();
    const warmup = new LatencyRecorder();
    const filters: FilterResult['filters'][number][] = [];
    const measured: { started: number; finished: number }[] = [];
    for (const { name, filterOf } of MATCHING_FILTERS) {
      const ask = (target: LatencyRecorder) => async (n: number) => {
        const response = await client.timed(target, name, 'GET', filterPath('Users', filterOf(n)), undefined, 200);
        if (response && totalResultsOf(response.body) !== 1) target.fail(name, `${filterOf(n)} matched ${totalResultsOf(response.body)} users, expected 1`);
      };
      await runPool(Array.from({ length: WARMUP_GETS }, pick), options.concurrency, ask(warmup));
      const cpu = new CpuMeter(gateway.pid);
      cpu.start();
      const started = performance.now();
      await runPool(
        Array.from({ length: options.filterGets }, pick),
        options.concurrency,
        ask(recorder),
        () => recorder.failureCount > 100 || performance.now() - started > MAX_SERIES_MS,
      );
      const ms = performance.now() - started;
      measured.push({ started, finished: started + ms });
      filters.push({ name, gets: recorder.count(name), requestsPerSecond: recorder.count(name) / (ms / 1000), latency: recorder.summary(name), cpu: cpu.stop() });
    }
    // Diagnostic: the same GETs one at a time, so no request waits behind another in the gateway.
    const serialRecorder = new LatencyRecorder();
    const serial: FilterResult['serial'][number][] = [];
    if (options.filterGetsSerial > 0) {
      for (const { name, filterOf } of MATCHING_FILTERS) {
        const started = performance.now();
        for (let i = 0; i < options.filterGetsSerial && serialRecorder.failureCount < 20 && performance.now() - started < MAX_SERIES_MS; i++) {
          const n = pick();
          const response = await client.timed(serialRecorder, name, 'GET', filterPath('Users', filterOf(n)), undefined, 200);
          if (response && totalResultsOf(response.body) !== 1) serialRecorder.fail(name, `${filterOf(n)} matched ${totalResultsOf(response.body)} users, expected 1`);
        }
        const ms = performance.now() - started;
        serial.push({ name, gets: serialRecorder.count(name), requestsPerSecond: serialRecorder.count(name) / (ms / 1000), latency: serialRecorder.summary(name) });
      }
    }
    client.close();
    const stopped = await gateway.stop();
    gateway = null;
    let profile;
    // From the first measured series to the end of the last (the warm-ups between them included).
    if (stopped.cpuProfile && measured.length > 0) {
      profile = summariseCpuProfile(stopped.cpuProfile, { fromEndMs: stopped.exitedAt - measured[0].started, toEndMs: stopped.exitedAt - measured.at(-1)!.finished });
    } else if (profileDir) context.log(`no CPU profile was written in ${profileDir}`);

    // PGlite can only be opened while no gateway holds the directory: explain now that it is stopped.
    const explainConnection = await storage.open(2);
    let plans;
    let storePoll;
    try {
      storePoll = await measureStorePoll(explainConnection.connectionString);
      plans = await explainUserFilters(
        explainConnection.connectionString,
        MATCHING_FILTERS.map(({ name, expectedIndex, filterOf }) => ({ name, expectedIndex, filter: filterOf(4242 % options.seedUsers) })),
      );
    } finally {
      await explainConnection.close();
    }

    return {
      scenario: 'b',
      backend,
      users: options.seedUsers,
      concurrency: options.concurrency,
      seed: {
        viaPortUsers: seed.viaPortUsers,
        viaPortUsersPerSecond: seed.viaPortUsersPerSecond,
        bulkUsers: seed.bulkUsers,
        bulkUsersPerSecond: seed.bulkUsersPerSecond,
        totalMs: seedMs,
        events: seed.events,
      },
      ...(profile ? { profile } : {}),
      gateway: { ...startTimes, peakRssMb: stopped.peakRssMb, sampledMaxRssMb: stopped.sampledMaxRssMb, windowMaxRssMb: stopped.windowMaxRssMb, rssAtMax: stopped.rssAtMax },
      filters,
      serial,
      plans,
      storePoll,
      analysed,
      loadBefore,
      loadAfter: loadAverage(),
      failures: recorder.failureCount + warmup.failureCount + serialRecorder.failureCount,
      failureMessages: [...recorder.messages, ...warmup.messages, ...serialRecorder.messages],
    };
  } finally {
    if (gateway) {
      context.log(`gateway log tail:\n${gateway.logTail()}`);
      await gateway.stop();
    }
    await storage.dispose();
  }
}
