import pg from 'pg';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { EVENTS_TABLE } from '#event-store/postgres/postgres.schema.js';
import { buildUserSearchStatements } from '#read-model/users.query.js';
import { parseFilter } from '#scim/filter/filter.parser.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';

export interface FilterPlan {
  readonly name: string;
  readonly filter: string;
  /** The index the plan should use. */
  readonly expectedIndex: string;
  readonly usesExpectedIndex: boolean;
  readonly hasSeqScan: boolean;
  /** EXPLAIN (ANALYZE) of the two statements UsersQuery.search runs: the count, then the page. */
  /** The plan of the one statement UsersQuery.search runs (the count, with the page joined to it). */
  readonly plan: string;
  /** When the planner last had statistics for scim_users (the gateway runs ANALYZE after a large catch-up; the server also autovacuums). */
  readonly statistics: string;
}

/**
 * The SQL the read model runs for a filter GET (compileUserFilter via buildUserSearchStatements, from the filter
 * text parsed by libs/scim's parseFilter), explained with ANALYZE on the seeded database as the gateway left it.
 */
export async function explainUserFilters(
  connectionString: string,
  filters: readonly { name: string; filter: string; expectedIndex: string }[],
): Promise<FilterPlan[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const registry = new SchemaRegistry();
  try {
    const [stats] = (
      await client.query<{ last_analyze: Date | null; last_autoanalyze: Date | null; n_live_tup: string }>(
        `SELECT last_analyze, last_autoanalyze, n_live_tup::text FROM pg_stat_user_tables WHERE relname = 'scim_users'`,
      )
    ).rows;
    const analysed = stats?.last_autoanalyze ?? stats?.last_analyze ?? null;
    const statistics = analysed ? `analysed ${analysed.toISOString()} (autovacuum)` : 'never analysed (no statistics: the planner estimates)';
    const plans: FilterPlan[] = [];
    for (const { name, filter, expectedIndex } of filters) {
      const statements = buildUserSearchStatements('default', parseFilter(filter), 1, 100, undefined, registry);
      const explain = async (statement: { sql: string; params: readonly unknown[] }) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${statement.sql}`, [...statement.params])).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      const plan = await explain(statements.search);
      const indexPattern = new RegExp(`(Index Scan|Index Only Scan|Bitmap Index Scan) (using|on) ${expectedIndex}\\b`);
      plans.push({
        name,
        filter,
        expectedIndex,
        usesExpectedIndex: indexPattern.test(plan),
        hasSeqScan: /Seq Scan/.test(plan),
        plan,
        statistics,
      });
    }
    return plans;
  } finally {
    await client.end();
  }
}

export interface StorePollCost {
  readonly events: number;
  /** Median time of PostgresEventStore.waitForEvents(head, 1 ms): what an idle projection runner pays per wait. */
  readonly waitForEventsMs: number;
  readonly samples: readonly number[];
}

/**
 * What the event store's "is there more to read?" check costs on this database now: the projection runner calls
 * waitForEvents after every batch it applies and at least once a second when idle. Measured through the
 * adapter itself (PostgresEventStore), at the head of the log, with a 1 ms timeout.
 */
export async function measureStorePoll(connectionString: string): Promise<StorePollCost> {
  const store = await PostgresEventStore.create(connectionString, { poolSize: 2 });
  try {
    const head = await store.headPosition();
    await store.waitForEvents(head, 1); // first call: connection, LISTEN on a server
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await store.waitForEvents(head, 1);
      samples.push(performance.now() - started);
    }
    const client = new pg.Client({ connectionString });
    await client.connect();
    let events = 0;
    try {
      events = Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${EVENTS_TABLE}`)).rows[0].n);
    } finally {
      await client.end();
    }
    return { events, waitForEventsMs: [...samples].sort((a, b) => a - b)[2], samples };
  } finally {
    await store.close();
  }
}

/** ANALYZE the whole database and VACUUM scim_users (statistics, and the GIN index's pending list); diagnostic. */
export async function analyseDatabase(connectionString: string): Promise<{ analyzeMs: number; vacuumMs: number }> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    let started = performance.now();
    await client.query('ANALYZE');
    const analyzeMs = performance.now() - started;
    started = performance.now();
    await client.query('VACUUM scim_users');
    return { analyzeMs, vacuumMs: performance.now() - started };
  } finally {
    await client.end();
  }
}
