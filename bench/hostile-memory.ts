import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_TOKEN, GatewayProcess } from './lib/gateway-process.js';
import { ScimClient } from './lib/http-client.js';
import { rssBreakdownMb, statusMb } from './lib/proc.js';

/**
 * Memory of the embedded store under expensive queries (issue 12, docs/benchmarks-filters-memory.md "Hostile
 * queries"): an embedded gateway on a fresh DATA_DIR, seeded with users, then RSS before, after a few hundred
 * expensive queries of the kinds the input limits still allow (50-term `co` filters on a multi-valued attribute,
 * by GET and by .search with long attribute lists), and after an idle pause.
 *
 *   npm run build && npx node dist/bench/hostile-memory.js [--users=2000] [--queries=300] [--terms=50]
 */
const args = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=') as [string, string]));
const USERS = Number(args.get('users') ?? 2000);
const QUERIES = Number(args.get('queries') ?? 300);
const TERMS = Number(args.get('terms') ?? 50);
const CONCURRENCY = 4;
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

function rss(pid: number): string {
  const total = statusMb(pid, 'VmRSS');
  const split = rssBreakdownMb(pid);
  return `${total?.toFixed(0)} MB (anon ${split?.anon.toFixed(0)}, file ${split?.file.toFixed(0)})`;
}

function coFilter(seed: number): string {
  return Array.from({ length: TERMS }, (_, index) => `emails[value co "q${seed}x${index}"]`).join(' or ');
}

async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-memory-'));
  const gateway = await GatewayProcess.start({ label: 'embedded', storageEnv: { DATA_DIR: dataDir } });
  const client = new ScimClient(gateway.port, BENCH_TOKEN, CONCURRENCY);
  const statuses = new Map<number, number>();
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  try {
    console.log(`started: ${rss(gateway.pid)}`);
    await inParallel(USERS, async (index) => {
      const response = await client.request('POST', '/scim/v2/Users', {
        schemas: [CORE_USER],
        userName: `memory.${index}@contoso.com`,
        emails: [{ value: `memory.${index}@contoso.com`, type: 'work', primary: true }, { value: `home.${index}@example.org`, type: 'home' }],
      });
      if (response.status !== 201) throw new Error(`seeding answered ${response.status}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const before = statusMb(gateway.pid, 'VmRSS')!;
    console.log(`after seeding ${USERS} users and 3 s idle: ${rss(gateway.pid)}`);

    const started = performance.now();
    await inParallel(QUERIES, async (index) => {
      const filter = coFilter(index);
      const response =
        index % 2 === 0
          ? await client.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(filter)}&count=100`)
          : await client.request('POST', '/scim/v2/Users/.search', {
              schemas: [SEARCH_REQUEST],
              filter,
              attributes: Array.from({ length: 40 }, (_, attribute) => `urn:example:params:scim:schemas:extension:bench:2.0:User:a${attribute}`).concat(['userName', 'emails']),
              sortBy: 'emails.value',
              count: 200,
            });
      count(response.status);
    });
    const seconds = (performance.now() - started) / 1000;
    const after = statusMb(gateway.pid, 'VmRSS')!;
    console.log(`after ${QUERIES} queries of ${TERMS} co terms (${seconds.toFixed(1)} s, statuses ${JSON.stringify(Object.fromEntries(statuses))}): ${rss(gateway.pid)}`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const settled = statusMb(gateway.pid, 'VmRSS')!;
    console.log(`after 10 s idle: ${rss(gateway.pid)}`);
    console.log(`RSS growth: ${(after - before).toFixed(0)} MB right after, ${(settled - before).toFixed(0)} MB after 10 s idle; load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  } finally {
    const stopped = await gateway.stop();
    console.log(`peak RSS over the process's life (VmHWM): ${stopped.peakRssMb?.toFixed(0)} MB`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
