import pg from 'pg';
import { createStorage } from '../lib/backends.js';
import type { BigGroupResult, ScenarioContext } from '../lib/context.js';
import { entraAddMembersPatch, entraUserBody } from '../lib/entra.js';
import { BENCH_TOKEN, GatewayProcess, gatewayDiagnosticsEnv } from '../lib/gateway-process.js';
import { ScimClient } from '../lib/http-client.js';
import { loadAverage } from '../lib/proc.js';
import { seedGroup, seededUserKeys } from '../lib/seed.js';
import { LatencyRecorder } from '../lib/stats.js';

const BIG = 'PATCH add 1 member, group of 100,000';
const EMPTY = 'PATCH add 1 member, empty group';

/**
 * One-member PATCHes (Entra's `{"op":"Add","path":"members","value":[{"value":"<id>"}]}`) to a group seeded with
 * `bigGroup` members and to an empty group, alternating between the two, one request at a time (as Entra
 * sends a group's membership changes), each adding a user that is not a member yet. Those users are created
 * through the gateway first (POST /Users, not measured), as Entra provisions a user before adding it to a
 * group: the gateway refuses a member that is not a user or group of the tenant. The first PATCH of each group
 * after the gateway starts folds the group's whole stream and is reported on its own ("cold").
 */
export async function runBigGroupPatch(context: ScenarioContext): Promise<BigGroupResult> {
  const { options, backend } = context;
  const storage = await createStorage(backend, 'gateway_c', options.adminUrl);
  const loadBefore = loadAverage();
  let gateway: GatewayProcess | null = null;
  try {
    const direct = await storage.open(4);
    let big;
    let empty;
    try {
      big = await seedGroup(direct.connectionString, 'Bench Big Group', options.bigGroup);
      empty = await seedGroup(direct.connectionString, 'Bench Empty Group', 0);
    } finally {
      await direct.close();
    }
    context.log(`seeded a group of ${big.members} members in ${(big.ms / 1000).toFixed(1)} s`);

    gateway = await GatewayProcess.start({ label: `c/${backend}`, storageEnv: storage.gatewayEnv, extraEnv: gatewayDiagnosticsEnv(options) });
    const startTimes = { listeningMs: gateway.listeningMs, readyMs: gateway.readyMs };
    context.log(`gateway ready (group members projected) after ${(gateway.readyMs / 1000).toFixed(1)} s`);
    const client = new ScimClient(gateway.port, BENCH_TOKEN, 1);
    const setup = new LatencyRecorder();
    const memberIds: string[] = [];
    for (let n = 0; n < 2 * (options.patches + 1) && setup.failureCount === 0; n++) {
      const created = await client.timed(setup, 'POST /Users (members to add)', 'POST', '/scim/v2/Users', entraUserBody(n, seededUserKeys(n)), 201);
      if (created) memberIds.push((created.body as { id: string }).id);
    }
    if (setup.failureCount > 0) throw new Error(`creating the users to add failed: ${setup.messages.join('; ')}`);
    const patch = (recorder: LatencyRecorder, kind: string, groupId: string) =>
      client.timed(recorder, kind, 'PATCH', `/scim/v2/Groups/${groupId}`, entraAddMembersPatch([memberIds.pop()!]), 204);

    gateway.startWindow();
    const cold = new LatencyRecorder();
    await patch(cold, BIG, big.id);
    await patch(cold, EMPTY, empty.id);
    const recorder = new LatencyRecorder();
    for (let i = 0; i < options.patches && recorder.failureCount < 20; i++) {
      await patch(recorder, BIG, big.id);
      await patch(recorder, EMPTY, empty.id);
    }

    client.close();
    const stopped = await gateway.stop();
    gateway = null;

    // Check the read model directly (a GET of the big group would return 100,000 members and skew the RSS).
    const check = await storage.open(2);
    const membersAfter: { big: number | null; empty: number | null } = { big: null, empty: null };
    try {
      const sql = new pg.Client({ connectionString: check.connectionString });
      await sql.connect();
      try {
        const { rows } = await sql.query<{ group_id: string; members: string }>(
          `SELECT group_id::text, count(*)::text AS members FROM scim_group_members WHERE group_id = ANY($1::uuid[]) GROUP BY group_id`,
          [[big.id, empty.id]],
        );
        for (const row of rows) membersAfter[row.group_id === big.id ? 'big' : 'empty'] = Number(row.members);
      } finally {
        await sql.end();
      }
    } finally {
      await check.close();
    }

    const bigSummary = recorder.summary(BIG);
    const emptySummary = recorder.summary(EMPTY);
    return {
      scenario: 'c',
      backend,
      bigGroupMembers: options.bigGroup,
      patchesPerGroup: recorder.count(BIG),
      seedMs: big.ms + empty.ms,
      gateway: { ...startTimes, peakRssMb: stopped.peakRssMb, sampledMaxRssMb: stopped.sampledMaxRssMb, windowMaxRssMb: stopped.windowMaxRssMb, rssAtMax: stopped.rssAtMax },
      coldBigMs: cold.summary(BIG).max,
      coldEmptyMs: cold.summary(EMPTY).max,
      big: bigSummary,
      empty: emptySummary,
      ratioP50: bigSummary.p50 / emptySummary.p50,
      ratioP99: bigSummary.p99 / emptySummary.p99,
      membersAfter,
      loadBefore,
      loadAfter: loadAverage(),
      failures: recorder.failureCount + cold.failureCount,
      failureMessages: [...cold.messages, ...recorder.messages],
    };
  } finally {
    if (gateway) {
      context.log(`gateway log tail:\n${gateway.logTail()}`);
      await gateway.stop();
    }
    await storage.dispose();
  }
}
