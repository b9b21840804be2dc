import type { BackendName, ServerCounters } from './backends.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { FilterPlan, StorePollCost } from './explain.js';
import type { CpuShares } from './proc.js';
import type { LatencySummary } from './stats.js';

export interface BenchOptions {
  /** Scenario a: users and groups of the Entra-like cycle, members per group, users of the unmeasured warm-up. */
  readonly users: number;
  readonly groups: number;
  readonly groupSize: number;
  readonly warmupUsers: number;
  readonly concurrency: number;
  /** Scenario b: users stored, how many of them go through the adapter's appendToStreams, GETs per filter. */
  readonly seedUsers: number;
  readonly seedViaPort: number;
  readonly filterGets: number;
  /** Scenario b, diagnostic: GETs per filter at concurrency 1 (service time without queueing). */
  readonly filterGetsSerial: number;
  /** Scenario c: members of the big group, single-member PATCHes per group. */
  readonly bigGroup: number;
  readonly patches: number;
  /** Scenario d: seconds of inserts, connections. */
  readonly rawSeconds: number;
  readonly rawConnections: number;
  /** Profile the gateway during scenarios a and b (node --cpu-prof): slower, so not for the reported figures. */
  readonly cpuProfile: boolean;
  /** Diagnostic (b): ANALYZE and VACUUM the database after the catch-up, before the GETs. */
  readonly analyse: boolean;
  /** Diagnostic: READ_YOUR_WRITES_TIMEOUT_MS for the gateway (unset = the gateway's default, 5000). */
  readonly readYourWritesTimeoutMs: number | null;
  /** postgres://.../postgres of the server; the benchmark creates and drops its own databases there. */
  readonly adminUrl: string;
  readonly resultsDir: string;
  /** More environment for the gateways the scenarios start (the configurations of bench/observability-ab.ts). */
  readonly gatewayEnv?: Readonly<Record<string, string>>;
}

export interface ScenarioContext {
  readonly backend: BackendName;
  readonly options: BenchOptions;
  log(message: string): void;
}

export interface GatewayFacts {
  /** From spawn to GET /health 200, and to GET /ready 200 (projections caught up). */
  readonly listeningMs: number;
  readonly readyMs: number;
  /** VmHWM at the end of the scenario (whole life, start-up included), and the largest VmRSS sample (MB). */
  readonly peakRssMb: number | null;
  readonly sampledMaxRssMb: number;
  /** The largest VmRSS sample during the measured part only (after start-up and seeding), MB. */
  readonly windowMaxRssMb: number;
  /** VmRSS split (anonymous / file-backed / shared) at the largest sample, MB. */
  readonly rssAtMax: { readonly anon: number; readonly file: number; readonly shmem: number } | null;
}

interface ScenarioBase {
  readonly backend: BackendName;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly failures: number;
  readonly failureMessages: readonly string[];
}

export interface CycleResult extends ScenarioBase {
  readonly scenario: 'a';
  readonly users: number;
  readonly groups: number;
  readonly groupSize: number;
  readonly concurrency: number;
  readonly gateway: GatewayFacts;
  readonly phases: readonly { name: string; ms: number; requests: number; writes: number }[];
  readonly totalMs: number;
  readonly writes: number;
  readonly requests: number;
  readonly writesPerSecond: number;
  readonly requestsPerSecond: number;
  readonly latency: Readonly<Record<string, LatencySummary>>;
  readonly allWrites: LatencySummary;
  readonly cpu: CpuShares;
  readonly sanity: string;
  readonly profile?: ProfileSummary;
  /** The event store's wait check at the end of the cycle (gateway stopped). */
  readonly storePoll?: StorePollCost;
  /** Server only: statistics counters over the measured cycle. */
  readonly server?: ServerCounters;
}

export interface FilterResult extends ScenarioBase {
  readonly scenario: 'b';
  readonly users: number;
  readonly concurrency: number;
  readonly seed: {
    readonly viaPortUsers: number;
    readonly viaPortUsersPerSecond: number;
    readonly bulkUsers: number;
    readonly bulkUsersPerSecond: number;
    readonly totalMs: number;
    readonly events: number;
  };
  readonly gateway: GatewayFacts;
  readonly filters: readonly { name: string; gets: number; requestsPerSecond: number; latency: LatencySummary; cpu: CpuShares }[];
  /** The same GETs one at a time (concurrency 1): the service time without queueing behind other requests. */
  readonly serial: readonly { name: string; gets: number; requestsPerSecond: number; latency: LatencySummary }[];
  readonly plans: readonly FilterPlan[];
  readonly storePoll?: StorePollCost;
  /** Diagnostic run (--analyze): ANALYZE and VACUUM ran between the catch-up and the GETs. */
  readonly analysed?: { readonly analyzeMs: number; readonly vacuumMs: number };
  /** Diagnostic run (--cpu-prof): the gateway's profile over the concurrency-8 series of all filters. */
  readonly profile?: ProfileSummary;
}

export interface BigGroupResult extends ScenarioBase {
  readonly scenario: 'c';
  readonly bigGroupMembers: number;
  readonly patchesPerGroup: number;
  readonly seedMs: number;
  readonly gateway: GatewayFacts;
  /** The first PATCH of each group after the start: it folds the group's whole stream (no cached state yet). */
  readonly coldBigMs: number;
  readonly coldEmptyMs: number;
  readonly big: LatencySummary;
  readonly empty: LatencySummary;
  readonly ratioP50: number;
  readonly ratioP99: number;
  readonly membersAfter: { readonly big: number | null; readonly empty: number | null };
}

export interface RawInsertResult extends ScenarioBase {
  readonly scenario: 'd';
  readonly connections: number;
  readonly seconds: number;
  readonly rows: number;
  readonly rowsPerSecond: number;
  readonly latency: LatencySummary;
  readonly cpu: CpuShares;
  readonly server?: ServerCounters;
}

export type ScenarioResult = CycleResult | FilterResult | BigGroupResult | RawInsertResult;
export type ScenarioName = ScenarioResult['scenario'];
