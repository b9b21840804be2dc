import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { counterDelta, createStorage, serverCounters, type ServerCounters } from '../lib/backends.js';
import type { CycleResult, ScenarioContext } from '../lib/context.js';
import { summariseCpuProfile } from '../lib/cpu-profile.js';
import { measureStorePoll } from '../lib/explain.js';
import { entraAddMembersPatch, entraGroupBody, entraManagerPatch, entraUserBody } from '../lib/entra.js';
import { BENCH_TOKEN, GatewayProcess, gatewayDiagnosticsEnv } from '../lib/gateway-process.js';
import { filterPath, ScimClient, totalResultsOf } from '../lib/http-client.js';
import { CpuMeter, loadAverage } from '../lib/proc.js';
import { LatencyRecorder, runPool, type LatencySummary } from '../lib/stats.js';

export const CYCLE_KINDS = {
  getUser: 'GET /Users?filter=userName eq',
  postUser: 'POST /Users',
  patchManager: 'PATCH /Users (manager)',
  getGroup: 'GET /Groups?excludedAttributes=members&filter=displayName eq',
  postGroup: 'POST /Groups',
  patchMembers: 'PATCH /Groups (add members)',
} as const;
export const WRITE_KINDS = [CYCLE_KINDS.postUser, CYCLE_KINDS.patchManager, CYCLE_KINDS.postGroup, CYCLE_KINDS.patchMembers];

const MAX_FAILURES = 100;

interface CyclePhase {
  name: string;
  ms: number;
  requests: number;
  writes: number;
}

/**
 * Entra's initial cycle (ENTRA.md "A provisioning cycle"), at `concurrency` requests in flight:
 *  1. per user: GET /Users?filter=userName eq "…" (no match), then POST /Users;
 *  2. per user: PATCH adding its manager (another user);
 *  3. per group: GET /Groups?excludedAttributes=members&filter=displayName eq "…" (no match), POST /Groups,
 *     PATCH adding its `groupSize` members in one request.
 */
async function runCycle(
  client: ScimClient,
  recorder: LatencyRecorder,
  prefix: string,
  users: number,
  groups: number,
  groupSize: number,
  concurrency: number,
): Promise<CyclePhase[]> {
  const stop = () => recorder.failureCount > MAX_FAILURES;
  const ids: (string | undefined)[] = new Array(users);
  const phases: CyclePhase[] = [];
  const userIndexes = Array.from({ length: users }, (_, n) => n);

  let started = performance.now();
  await runPool(
    userIndexes,
    concurrency,
    async (n) => {
      const userName = `${prefix}.user${n}@contoso.com`;
      const found = await client.timed(recorder, CYCLE_KINDS.getUser, 'GET', filterPath('Users', `userName eq "${userName}"`), undefined, 200);
      if (!found) return;
      if (totalResultsOf(found.body) !== 0) recorder.fail(CYCLE_KINDS.getUser, `expected no match for ${userName}, got ${totalResultsOf(found.body)}`);
      const body = entraUserBody(n, { userName, externalId: randomUUID(), workEmail: `${prefix}.user${n}.work@mail.contoso.com` });
      const created = await client.timed(recorder, CYCLE_KINDS.postUser, 'POST', '/scim/v2/Users', body, 201);
      ids[n] = (created?.body as { id?: string } | null)?.id;
    },
    stop,
  );
  phases.push({ name: 'users: GET filter + POST', ms: performance.now() - started, requests: 2 * users, writes: users });

  started = performance.now();
  await runPool(
    userIndexes,
    concurrency,
    async (n) => {
      // Managers: the first user of each block of 20 manages the block; they report to user 0 (user 0 to user 1).
      const manager = n === 0 ? 1 : n % 20 === 0 ? 0 : n - (n % 20);
      const id = ids[n];
      const managerId = ids[manager % users];
      if (!id || !managerId) return;
      await client.timed(recorder, CYCLE_KINDS.patchManager, 'PATCH', `/scim/v2/Users/${id}`, entraManagerPatch(managerId), 200);
    },
    stop,
  );
  phases.push({ name: 'users: PATCH manager', ms: performance.now() - started, requests: users, writes: users });

  started = performance.now();
  await runPool(
    Array.from({ length: groups }, (_, g) => g),
    concurrency,
    async (g) => {
      const displayName = `${prefix} Group ${String(g).padStart(4, '0')}`;
      const found = await client.timed(
        recorder,
        CYCLE_KINDS.getGroup,
        'GET',
        filterPath('Groups', `displayName eq "${displayName}"`, 'excludedAttributes=members&'),
        undefined,
        200,
      );
      if (!found) return;
      if (totalResultsOf(found.body) !== 0) recorder.fail(CYCLE_KINDS.getGroup, `expected no match for ${displayName}`);
      const created = await client.timed(recorder, CYCLE_KINDS.postGroup, 'POST', '/scim/v2/Groups', entraGroupBody(displayName, randomUUID()), 201);
      const groupId = (created?.body as { id?: string } | null)?.id;
      if (!groupId) return;
      const members = Array.from({ length: groupSize }, (_, k) => ids[(g * groupSize + k) % users]).filter((id): id is string => id !== undefined);
      await client.timed(recorder, CYCLE_KINDS.patchMembers, 'PATCH', `/scim/v2/Groups/${groupId}`, entraAddMembersPatch(members), 204);
    },
    stop,
  );
  phases.push({ name: 'groups: GET filter + POST + PATCH members', ms: performance.now() - started, requests: 3 * groups, writes: 2 * groups });
  return phases;
}

export async function runEntraCycle(context: ScenarioContext): Promise<CycleResult> {
  const { options, backend } = context;
  const storage = await createStorage(backend, 'gateway_a', options.adminUrl);
  const profileDir = options.cpuProfile ? path.join(options.resultsDir, `cpu-profile-a-${backend}-${Date.now()}`) : undefined;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const loadBefore = loadAverage();
  let gateway: GatewayProcess | null = null;
  try {
    gateway = await GatewayProcess.start({ label: `a/${backend}`, storageEnv: storage.gatewayEnv, extraEnv: gatewayDiagnosticsEnv(options), cpuProfileDir: profileDir });
    const startTimes = { listeningMs: gateway.listeningMs, readyMs: gateway.readyMs };
    context.log(`gateway ready in ${(gateway.readyMs / 1000).toFixed(1)} s (${storage.description})`);
    const client = new ScimClient(gateway.port, BENCH_TOKEN, options.concurrency);

    // Warm-up (not measured): JIT, connection pools, plan caches; its users and groups stay in the database.
    if (options.warmupUsers > 0) {
      const warmup = new LatencyRecorder();
      await runCycle(client, warmup, 'warmup', options.warmupUsers, 2, Math.min(options.groupSize, options.warmupUsers), options.concurrency);
      if (warmup.failureCount > 0) context.log(`warm-up failures: ${warmup.messages.join(' | ')}`);
    }

    // Server only: transactions and WAL syncs per write (statistics reach pg_stat_* within a second of idling).
    const serverUrl = storage.gatewayEnv['DATABASE_URL'];
    let countersBefore: ServerCounters | null = null;
    if (serverUrl) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      countersBefore = await serverCounters(serverUrl);
    }
    const recorder = new LatencyRecorder();
    gateway.startWindow();
    const cpu = new CpuMeter(gateway.pid);
    cpu.start();
    const started = performance.now();
    const phases = await runCycle(client, recorder, 'bench', options.users, options.groups, options.groupSize, options.concurrency);
    const finished = performance.now();
    const totalMs = finished - started;
    const cpuShares = cpu.stop();

    // Sanity: the last user is findable, and a group has its members.
    const check = await client.request('GET', filterPath('Users', `userName eq "bench.user${options.users - 1}@contoso.com"`));
    const groupCheck = await client.request('GET', filterPath('Groups', `displayName eq "bench Group 0000"`));
    const members = ((groupCheck.body as { Resources?: { members?: unknown[] }[] } | null)?.Resources?.[0]?.members ?? []).length;
    const sanity = `last user found: ${totalResultsOf(check.body) === 1}; first group has ${members} members`;
    client.close();

    const stopped = await gateway.stop();
    gateway = null;
    const server = serverUrl && countersBefore ? counterDelta(countersBefore, await serverCounters(serverUrl)) : undefined;
    const direct = await storage.open(4);
    let storePoll;
    try {
      storePoll = await measureStorePoll(direct.connectionString);
    } finally {
      await direct.close();
    }
    const latency: Record<string, LatencySummary> = {};
    for (const kind of Object.values(CYCLE_KINDS)) latency[kind] = recorder.summary(kind);
    const writes = WRITE_KINDS.reduce((sum, kind) => sum + recorder.count(kind), 0);
    const requests = Object.values(CYCLE_KINDS).reduce((sum, kind) => sum + recorder.count(kind), 0);
    let profile;
    // Only the measured cycle: the profile ends when the process exits.
    if (stopped.cpuProfile) profile = summariseCpuProfile(stopped.cpuProfile, { fromEndMs: stopped.exitedAt - started, toEndMs: stopped.exitedAt - finished });
    else if (profileDir) context.log(`no CPU profile was written in ${profileDir}`);
    return {
      scenario: 'a',
      backend,
      users: options.users,
      groups: options.groups,
      groupSize: options.groupSize,
      concurrency: options.concurrency,
      gateway: { ...startTimes, peakRssMb: stopped.peakRssMb, sampledMaxRssMb: stopped.sampledMaxRssMb, windowMaxRssMb: stopped.windowMaxRssMb, rssAtMax: stopped.rssAtMax },
      phases,
      totalMs,
      writes,
      requests,
      writesPerSecond: writes / (totalMs / 1000),
      requestsPerSecond: requests / (totalMs / 1000),
      latency,
      allWrites: recorder.merged(WRITE_KINDS),
      cpu: cpuShares,
      sanity,
      profile,
      server,
      storePoll,
      loadBefore,
      loadAfter: loadAverage(),
      failures: recorder.failureCount,
      failureMessages: recorder.messages,
    };
  } finally {
    if (gateway) {
      context.log(`gateway log tail:\n${gateway.logTail()}`);
      await gateway.stop();
    }
    await storage.dispose();
  }
}
