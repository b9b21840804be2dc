import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKENDS, type BackendName } from './backends.js';
import type { BenchOptions, BigGroupResult, CycleResult, FilterResult, RawInsertResult, ScenarioName, ScenarioResult } from './context.js';
import type { LatencySummary } from './stats.js';

export interface RunRecord {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly options: BenchOptions;
  readonly machine: MachineFacts;
  readonly scenarios: readonly ScenarioName[];
  readonly backends: readonly BackendName[];
  readonly results: readonly ScenarioResult[];
  /** Backend or scenario that could not run, and why. */
  readonly skipped: readonly string[];
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
}

export interface MachineFacts {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly node: string;
  readonly postgresServer: string;
  readonly pglite: string;
  /** The commit the gateway was built from, and how many tracked files differed from it. */
  readonly gitCommit: string;
}

export function machineFacts(serverDescription: string, pgliteVersion: string, repoRoot: string): MachineFacts {
  let gitCommit = 'unknown';
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter((line) => line.trim() !== '').length;
    gitCommit = changed === 0 ? commit : `${commit} with ${changed} tracked files changed`;
  } catch {
    // not a git checkout
  }
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgresServer: serverDescription,
    pglite: pgliteVersion,
    gitCommit,
  };
}

// ---------------------------------------------------------------------------------------------- formatting

const ms = (value: number | null | undefined): string => (value === null || value === undefined || !Number.isFinite(value) ? '–' : value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0));
const num = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-GB') : '–');
const mb = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : `${Math.round(value)} MB`);
const seconds = (milliseconds: number): string => `${(milliseconds / 1000).toFixed(1)} s`;
const rssSplit = (gateway: { rssAtMax: { anon: number; file: number; shmem: number } | null; sampledMaxRssMb: number; peakRssMb: number | null; windowMaxRssMb: number }): string =>
  `gateway RSS: VmHWM ${mb(gateway.peakRssMb)}, largest sample ${mb(gateway.sampledMaxRssMb)}` +
  (gateway.rssAtMax ? ` (anonymous ${mb(gateway.rssAtMax.anon)}, file-backed ${mb(gateway.rssAtMax.file)}, shared ${mb(gateway.rssAtMax.shmem)})` : '') +
  `, largest while measuring ${mb(gateway.windowMaxRssMb)}`;
const lat = (summary: LatencySummary | undefined): string => (summary && summary.count > 0 ? `${ms(summary.p50)} / ${ms(summary.p99)} ms` : '–');

function find<S extends ScenarioName>(results: readonly ScenarioResult[], scenario: S, backend: BackendName): Extract<ScenarioResult, { scenario: S }> | undefined {
  return results.find((result) => result.scenario === scenario && result.backend === backend) as Extract<ScenarioResult, { scenario: S }> | undefined;
}

type Row = readonly [string, ...string[]];

/** The headline figures, one column per backend (the console summary and the doc share it). */
export function figureRows(run: RunRecord): Row[] {
  const rows: Row[] = [];
  const per = (label: string, value: (backend: BackendName) => string): void => {
    rows.push([label, ...BACKENDS.map(value)]);
  };
  const a = (backend: BackendName) => find(run.results, 'a', backend);
  const b = (backend: BackendName) => find(run.results, 'b', backend);
  const c = (backend: BackendName) => find(run.results, 'c', backend);
  const d = (backend: BackendName) => find(run.results, 'd', backend);
  if (run.scenarios.includes('a')) {
    per('(a) cycle: writes/s (POST+PATCH, whole cycle)', (x) => (a(x) ? num(a(x)!.writesPerSecond) : '–'));
    per('(a) cycle: requests/s', (x) => (a(x) ? num(a(x)!.requestsPerSecond) : '–'));
    per('(a) all writes p50 / p99', (x) => lat(a(x)?.allWrites));
    for (const kind of Object.keys(run.results.find((r): r is CycleResult => r.scenario === 'a')?.latency ?? {})) {
      per(`(a) ${kind} p50 / p99`, (x) => lat(a(x)?.latency[kind]));
    }
    per('(a) server: transactions / WAL syncs (cluster) per write', (x) => {
      const server = a(x)?.server;
      return server ? `${(server.xactCommit / a(x)!.writes).toFixed(1)} / ${(server.walSync / a(x)!.writes).toFixed(2)}` : '–';
    });
    per('(a) event store wait check (waitForEvents) at the end', (x) => (a(x)?.storePoll ? `${ms(a(x)!.storePoll!.waitForEventsMs)} ms (${num(a(x)!.storePoll!.events)} events)` : '–'));
    per('(a) failed requests', (x) => (a(x) ? String(a(x)!.failures) : '–'));
    per('(a) gateway CPU (of one core) / machine busy', (x) => (a(x) ? `${a(x)!.cpu.gatewayPercent} % / ${a(x)!.cpu.machineBusyPercent} %` : '–'));
    per('(a) gateway peak RSS: VmHWM (whole life) / max VmRSS while measuring', (x) => (a(x) ? `${mb(a(x)!.gateway.peakRssMb)} / ${mb(a(x)!.gateway.windowMaxRssMb)}` : '–'));
  }
  if (run.scenarios.includes('b')) {
    per('(b) time to /ready after seeding (projection catch-up)', (x) => (b(x) ? seconds(b(x)!.gateway.readyMs) : '–'));
    for (const name of ['userName eq', 'externalId eq', 'emails[type eq "work"].value eq']) {
      per(`(b) GET filter ${name} p50 / p99`, (x) => lat(b(x)?.filters.find((f) => f.name === name)?.latency));
      per(`(b) GET filter ${name} requests/s`, (x) => {
        const filter = b(x)?.filters.find((f) => f.name === name);
        return filter ? num(filter.requestsPerSecond) : '–';
      });
    }
    for (const name of ['userName eq', 'externalId eq', 'emails[type eq "work"].value eq']) {
      per(`(b) diagnostic, concurrency 1: ${name} p50 / p99`, (x) => lat(b(x)?.serial.find((f) => f.name === name)?.latency));
    }
    per('(b) event store wait check (waitForEvents), idle', (x) => (b(x)?.storePoll ? `${ms(b(x)!.storePoll!.waitForEventsMs)} ms (${num(b(x)!.storePoll!.events)} events)` : '–'));
    per('(b) index used by all three (EXPLAIN)', (x) => (b(x) ? (b(x)!.plans.every((p) => p.usesExpectedIndex && !p.hasSeqScan) ? 'yes' : 'NO') : '–'));
    per('(b) gateway peak RSS: VmHWM (whole life) / max VmRSS while measuring', (x) => (b(x) ? `${mb(b(x)!.gateway.peakRssMb)} / ${mb(b(x)!.gateway.windowMaxRssMb)}` : '–'));
  }
  if (run.scenarios.includes('c')) {
    per('(c) PATCH +1 member, 100,000-member group p50 / p99', (x) => lat(c(x)?.big));
    per('(c) PATCH +1 member, empty group p50 / p99', (x) => lat(c(x)?.empty));
    per('(c) ratio big / empty, p50 (p99)', (x) => (c(x) ? `${c(x)!.ratioP50.toFixed(2)} (${c(x)!.ratioP99.toFixed(2)})` : '–'));
    per('(c) first PATCH after start: big / empty (cold)', (x) => (c(x) ? `${ms(c(x)!.coldBigMs)} / ${ms(c(x)!.coldEmptyMs)} ms` : '–'));
    per('(c) gateway peak RSS: VmHWM (whole life) / max VmRSS while measuring', (x) => (c(x) ? `${mb(c(x)!.gateway.peakRssMb)} / ${mb(c(x)!.gateway.windowMaxRssMb)}` : '–'));
  }
  if (run.scenarios.includes('d')) {
    per('(d) raw single-row INSERTs/s (8 connections)', (x) => (d(x) ? num(d(x)!.rowsPerSecond) : '–'));
    per('(d) raw INSERT p50 / p99', (x) => lat(d(x)?.latency));
    per('(d) server: WAL syncs (cluster) per insert', (x) => (d(x)?.server ? (d(x)!.server!.walSync / d(x)!.rows).toFixed(2) : '–'));
  }
  return rows;
}

interface TargetRow {
  readonly target: string;
  readonly cells: readonly string[];
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? '' : met ? ' — **met**' : ' — **not met**';
}

/** Issue 4's targets next to the figures, met or not, per backend. */
export function targetRows(run: RunRecord): TargetRow[] {
  const rows: TargetRow[] = [];
  const cell = (backend: BackendName, compute: () => { text: string; met?: boolean } | undefined): string => {
    const value = compute();
    return value ? `${value.text}${verdict(value.met)}` : 'not measured';
  };
  rows.push({
    target: 'Entra-like cycle: at least 500 writes/s',
    cells: BACKENDS.map((x) => cell(x, () => {
      const a = find(run.results, 'a', x);
      return a && { text: `${num(a.writesPerSecond)} writes/s`, met: a.writesPerSecond >= 500 };
    })),
  });
  rows.push({
    target: 'Entra-like cycle: write p99 under 50 ms',
    cells: BACKENDS.map((x) => cell(x, () => {
      const a = find(run.results, 'a', x);
      if (!a) return undefined;
      const worst = Object.entries(a.latency).filter(([kind]) => /^(POST|PATCH)/.test(kind)).sort((l, r) => r[1].p99 - l[1].p99)[0];
      return { text: `all writes ${ms(a.allWrites.p99)} ms (worst kind: ${worst[0]} ${ms(worst[1].p99)} ms)`, met: a.allWrites.p99 < 50 };
    })),
  });
  rows.push({
    target: 'Entra-like cycle: at least half the raw single-row insert rate',
    cells: BACKENDS.map((x) => cell(x, () => {
      const a = find(run.results, 'a', x);
      const d = find(run.results, 'd', x);
      if (!a || !d) return undefined;
      return { text: `${num(a.writesPerSecond)} vs ½ × ${num(d.rowsPerSecond)} = ${num(d.rowsPerSecond / 2)} (${Math.round((a.writesPerSecond / d.rowsPerSecond) * 100)} % of raw)`, met: a.writesPerSecond >= d.rowsPerSecond / 2 };
    })),
  });
  rows.push({
    target: 'Filter GET by userName / externalId / work email, 100,000 users: p99 under 10 ms',
    cells: BACKENDS.map((x) => cell(x, () => {
      const b = find(run.results, 'b', x);
      if (!b) return undefined;
      return { text: `${b.filters.map((f) => ms(f.latency.p99)).join(' / ')} ms`, met: b.filters.every((f) => f.latency.p99 < 10) };
    })),
  });
  rows.push({
    target: 'One-member PATCH on a 100,000-member group within 2x of an empty group',
    cells: BACKENDS.map((x) => cell(x, () => {
      const c = find(run.results, 'c', x);
      return c && { text: `p50 ${c.ratioP50.toFixed(2)}x, p99 ${c.ratioP99.toFixed(2)}x`, met: c.ratioP50 <= 2 && c.ratioP99 <= 2 };
    })),
  });
  rows.push({
    target: 'Gateway RSS under 400 MB throughout',
    cells: BACKENDS.map((x) => cell(x, () => {
      const peaks = run.results
        .filter((r): r is CycleResult | FilterResult | BigGroupResult => r.backend === x && r.scenario !== 'd')
        .map((r) => ({ scenario: r.scenario, peak: r.gateway.peakRssMb ?? r.gateway.sampledMaxRssMb }));
      if (peaks.length === 0) return undefined;
      const worst = peaks.sort((l, r) => r.peak - l.peak)[0];
      const window = Math.max(...run.results.filter((r): r is CycleResult | FilterResult | BigGroupResult => r.backend === x && r.scenario !== 'd').map((r) => r.gateway.windowMaxRssMb));
      return { text: `max VmHWM ${mb(worst.peak)} (scenario ${worst.scenario}); max while measuring ${mb(window)}`, met: worst.peak < 400 };
    })),
  });
  return rows;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

export function consoleSummary(run: RunRecord): string {
  const header = ['', ...BACKENDS];
  const rows = figureRows(run);
  const widths = header.map((_, column) => Math.max(header[column].length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) => cells.map((text, column) => text.padEnd(widths[column])).join('  ');
  const targets = targetRows(run).map((row) => `  ${row.target}\n${BACKENDS.map((b, i) => `      ${b.padEnd(9)} ${row.cells[i].replace(/\*\*/g, '')}`).join('\n')}`);
  return [line(header), ...rows.map(line), '', 'Targets (issue 4):', ...targets].join('\n');
}

// ---------------------------------------------------------------------------------------------- the doc

export const DOC_START = '<!-- bench:results:start (generated by npm run bench; edit outside these markers) -->';
export const DOC_END = '<!-- bench:results:end -->';

export function resultsMarkdown(run: RunRecord, resultsFile: string): string {
  const m = run.machine;
  const out: string[] = [];
  const backendNames: Record<BackendName, string> = { pglite: 'PGlite (embedded)', postgres: 'PostgreSQL server' };
  out.push(`## Results of the last full run`);
  out.push('');
  out.push(`- **Date**: ${run.startedAt} to ${run.finishedAt}`);
  out.push(`- **Machine**: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB RAM, ${m.kernel}`);
  out.push(`- **Software**: Node.js ${m.node}; PostgreSQL server ${m.postgresServer}; PGlite ${m.pglite} (fsync off by design, see pglite.server.ts)`);
  out.push(`- **Command**: \`${run.command}\` (gateway built from ${m.gitCommit})`);
  out.push(
    `- **Sizes**: (a) ${run.options.users} users, ${run.options.groups} groups of ${run.options.groupSize}, concurrency ${run.options.concurrency}, ` +
      `after an unmeasured warm-up of ${run.options.warmupUsers} users; (b) ${num(run.options.seedUsers)} users, ${num(run.options.filterGets)} GETs per filter; ` +
      `(c) ${num(run.options.bigGroup)} members, ${run.options.patches} PATCHes per group; (d) ${run.options.rawSeconds} s, ${run.options.rawConnections} connections`,
  );
  out.push(`- **Load average** (1/5/15 min) at start: ${run.loadAtStart}; at end: ${run.loadAtEnd}`);
  if (run.skipped.length > 0) out.push(`- **Not run**: ${run.skipped.join('; ')}`);
  out.push(`- Raw figures: \`${resultsFile}\` (not committed)`);
  out.push('');
  out.push('### Targets (issue 4)');
  out.push('');
  out.push(markdownTable(['Target', ...BACKENDS.map((b) => backendNames[b])], targetRows(run).map((row) => [row.target, ...row.cells])));
  out.push('');
  out.push('### Figures');
  out.push('');
  out.push(markdownTable(['Figure (latencies p50 / p99)', ...BACKENDS.map((b) => backendNames[b])], figureRows(run)));
  out.push('');

  const cycles = run.results.filter((r): r is CycleResult => r.scenario === 'a');
  if (cycles.length > 0) {
    out.push('### (a) Entra-like initial cycle, details');
    out.push('');
    for (const a of cycles) {
      out.push(
        `**${backendNames[a.backend]}**: ${num(a.writes)} writes and ${num(a.requests)} requests in ${seconds(a.totalMs)}; gateway ready ${seconds(a.gateway.readyMs)} after spawn ` +
          `(fresh storage); CPU during the cycle (of one core): gateway ${a.cpu.gatewayPercent} %, PostgreSQL server processes ${a.cpu.postgresServerPercent} %, ` +
          `load generator ${a.cpu.loadGeneratorPercent} %; whole machine busy ${a.cpu.machineBusyPercent} %; load ${a.loadBefore} → ${a.loadAfter}; ${a.sanity}; ${rssSplit(a.gateway)}` +
          (a.server
            ? `; server counters over the cycle: ${num(a.server.xactCommit)} transactions in the database (${(a.server.xactCommit / a.writes).toFixed(1)} per write), ` +
              `${num(a.server.walSync)} WAL syncs in the cluster (${(a.server.walSync / a.writes).toFixed(2)} per write), ${num(a.server.tupInserted)} rows inserted, ${num(a.server.tupUpdated)} updated`
            : '') +
          '.',
      );
      out.push('');
      out.push(markdownTable(['Phase', 'Time', 'Requests', 'Writes', 'Writes/s'], a.phases.map((p) => [p.name, seconds(p.ms), num(p.requests), num(p.writes), num(p.writes / (p.ms / 1000))])));
      out.push('');
      out.push(markdownTable(['Request', 'Count', 'p50', 'p99', 'max'], Object.entries(a.latency).map(([kind, s]) => [kind, num(s.count), `${ms(s.p50)} ms`, `${ms(s.p99)} ms`, `${ms(s.max)} ms`])));
      out.push('');
      if (a.failures > 0) out.push(`Failures: ${a.failures}: ${a.failureMessages.join('; ')}\n`);
    }
  }
  const filters = run.results.filter((r): r is FilterResult => r.scenario === 'b');
  if (filters.length > 0) {
    out.push('### (b) Filter GETs with 100,000 users, details');
    out.push('');
    for (const b of filters) {
      out.push(
        `**${backendNames[b.backend]}**: seeded ${num(b.users)} users (${num(b.seed.events)} events) in ${seconds(b.seed.totalMs)}: ` +
          `${num(b.seed.viaPortUsers)} through \`appendToStreams\` (${num(b.seed.viaPortUsersPerSecond)} users/s), ${num(b.seed.bulkUsers)} in bulk ` +
          `(${num(b.seed.bulkUsersPerSecond)} users/s). Gateway listening after ${seconds(b.gateway.listeningMs)}, **ready (read model caught up) after ${seconds(b.gateway.readyMs)}**. ` +
          `Load ${b.loadBefore} → ${b.loadAfter}; ${rssSplit(b.gateway)}.`,
      );
      out.push('');
      out.push(
        markdownTable(
          ['Filter', 'Concurrency', 'GETs', 'Requests/s', 'p50', 'p99', 'max', 'gateway CPU'],
          [
            ...b.filters.map((f) => [f.name, String(b.concurrency), num(f.gets), num(f.requestsPerSecond), `${ms(f.latency.p50)} ms`, `${ms(f.latency.p99)} ms`, `${ms(f.latency.max)} ms`, `${f.cpu.gatewayPercent} %`]),
            ...b.serial.map((f) => [f.name, '1 (diagnostic)', num(f.gets), num(f.requestsPerSecond), `${ms(f.latency.p50)} ms`, `${ms(f.latency.p99)} ms`, `${ms(f.latency.max)} ms`, '']),
          ],
        ),
      );
      out.push('');
      if (b.failures > 0) out.push(`Failures: ${b.failures}: ${b.failureMessages.join('; ')}\n`);
    }
  }
  const groups = run.results.filter((r): r is BigGroupResult => r.scenario === 'c');
  if (groups.length > 0) {
    out.push('### (c) One-member PATCH, 100,000-member group vs empty group, details');
    out.push('');
    for (const c of groups) {
      out.push(
        `**${backendNames[c.backend]}**: seeded in ${seconds(c.seedMs)}; gateway ready (members projected) after ${seconds(c.gateway.readyMs)}; ` +
          `${c.patchesPerGroup} PATCHes per group, alternating, one at a time. Big: ${lat(c.big)} (max ${ms(c.big.max)} ms); empty: ${lat(c.empty)} ` +
          `(max ${ms(c.empty.max)} ms). First PATCH after the start (folds the whole stream into the state cache): big ${ms(c.coldBigMs)} ms, empty ${ms(c.coldEmptyMs)} ms. ` +
          `Members afterwards (read model): big ${c.membersAfter.big ?? '?'}, empty ${c.membersAfter.empty ?? '?'}. Load ${c.loadBefore} → ${c.loadAfter}; ${rssSplit(c.gateway)}.`,
      );
      out.push('');
      if (c.failures > 0) out.push(`Failures: ${c.failures}: ${c.failureMessages.join('; ')}\n`);
    }
  }
  const raws = run.results.filter((r): r is RawInsertResult => r.scenario === 'd');
  if (raws.length > 0) {
    out.push('### (d) Raw single-row INSERTs, details');
    out.push('');
    for (const d of raws) {
      out.push(
        `**${backendNames[d.backend]}**: ${num(d.rows)} rows in ${d.seconds.toFixed(1)} s from ${d.connections} connections = **${num(d.rowsPerSecond)} rows/s**; ` +
          `latency ${lat(d.latency)}; CPU: PostgreSQL server processes ${d.cpu.postgresServerPercent} %, this process (pg clients${d.backend === 'pglite' ? ' and PGlite itself' : ''}) ` +
          `${d.cpu.loadGeneratorPercent} % of one core; machine busy ${d.cpu.machineBusyPercent} %` +
          (d.server ? `; ${num(d.server.walSync)} WAL syncs in the cluster (${(d.server.walSync / d.rows).toFixed(2)} per insert: group commit)` : '') +
          `. Load ${d.loadBefore} → ${d.loadAfter}.`,
      );
      out.push('');
    }
  }
  const profiled = cycles.filter((a) => a.profile);
  for (const a of profiled) {
    const p = a.profile!;
    out.push(`### CPU profile of the gateway during (a), ${backendNames[a.backend]}`);
    out.push('');
    out.push(`Profiled run (node --cpu-prof; slower than the run above). Idle ${p.idlePercent.toFixed(0)} % of ${seconds(p.totalMs)}. Busy time by area:`);
    out.push('');
    out.push(markdownTable(['Area', 'Self time', '% of busy'], p.areas.slice(0, 15).map((x) => [x.area, `${num(x.ms)} ms`, `${x.percentOfBusy.toFixed(1)} %`])));
    out.push('');
    out.push(markdownTable(['Function', 'Where', 'Self time', '% of busy'], p.topFunctions.slice(0, 20).map((f) => [f.fn, f.where, `${num(f.ms)} ms`, `${f.percentOfBusy.toFixed(1)} %`])));
    out.push('');
  }
  if (filters.length > 0) {
    out.push('### EXPLAIN ANALYZE of the three matching filters (100,000 users)');
    out.push('');
    out.push('The statement `UsersQuery.search` runs (the count, with the page joined to it), built by `buildUserSearchStatements` → `compileUserFilter` from `parseFilter(...)`, on the database the gateway left (it runs ANALYZE after a large catch-up).');
    out.push('');
    for (const b of filters) {
      for (const plan of b.plans) {
        out.push(`**${backendNames[b.backend]}**, \`${plan.filter}\`: expected index \`${plan.expectedIndex}\` used: ${plan.usesExpectedIndex ? 'yes' : 'NO'}; sequential scan: ${plan.hasSeqScan ? 'YES' : 'no'}; statistics: ${plan.statistics}.`);
        out.push('');
        out.push('```');
        out.push(plan.plan);
        out.push('```');
        out.push('');
      }
    }
  }
  return out.join('\n');
}

const DOC_SKELETON = `# Benchmarks

How fast the gateway is on one machine, measured by \`bench/\` against the built gateway as a separate process
(issue 4 item 10). Run it with \`npm run bench\` (builds, then runs every scenario on both backends in a few
minutes); \`npx node dist/bench/run.js --help\` lists the options.

${DOC_START}
${DOC_END}
`;

/**
 * Replaces the generated part of the doc between two markers (by default the full run's), keeping everything
 * written outside them; markers not yet in the file are appended at its end.
 */
export function writeDoc(file: string, generated: string, markers: { readonly start: string; readonly end: string } = { start: DOC_START, end: DOC_END }): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : DOC_SKELETON;
  const start = current.indexOf(markers.start);
  const end = current.indexOf(markers.end);
  const base = start >= 0 && end > start ? current : `${current.trimEnd()}\n\n${markers.start}\n${markers.end}\n`;
  const s = base.indexOf(markers.start);
  const e = base.indexOf(markers.end);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${base.slice(0, s + markers.start.length)}\n${generated}\n${base.slice(e)}`);
}
