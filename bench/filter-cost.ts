import { parseFilter } from '#scim/filter/filter.parser.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { ScimError } from '#scim/scim-error.js';
import { compileFilterToSql } from '#read-model/filter/filter-sql.compiler.js';
import { USER_COLUMN_MAPPING } from '#read-model/filter/user-filter.sql.js';
import { openReadModelDataSource, openReadPool, preparedQueries } from '#read-model/read-model.data-source.js';
import { buildSearchStatements, runSearch } from '#read-model/search-statements.js';
import type { SqlQueryable } from '#read-model/users.query.js';
import { BACKENDS, createStorage, disposeAllStorage, type BackendName } from './lib/backends.js';

const HELP = `The cost of filters that no index serves (issue 12): \`emails[value co "<i>"] and ...\` with 50 and 400
terms, and 50 terms every user passes (\`emails[value co "e"]\`), over USERS users of one tenant, through the
read model's own search statement, on each backend. Users are written as read-model rows with SQL (the
projection would take an hour for 100,000); the statement and its settings are the gateway's (on a server: the
read pool, JIT off). Each filter runs with the document-text prefilter (what the gateway does) and without it
(the compiler before issue 12), and on a server also with JIT on (PostgreSQL's default, the gateway before it).

  npm run build && npx node dist/bench/filter-cost.js [--users=100000] [--backend=pglite,postgres] [--runs=3]
      [--database-url=URL] [--timeout-ms=60000]

A run longer than --timeout-ms is stopped by the server's statement_timeout (reported as "> N ms"); PGlite
enforces no timeout, so on PGlite the variants without the prefilter run only at --users=20000 and below.
`;

interface Options {
  readonly users: number;
  readonly backends: BackendName[];
  readonly runs: number;
  readonly adminUrl: string;
  readonly timeoutMs: number;
}

const TENANT = 'bench';

function parseOptions(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    }
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (see --help)`);
    values.set(match[1], match[2]);
  }
  return {
    users: Number(values.get('users') ?? 100_000),
    backends: (values.get('backend')?.split(',') ?? [...BACKENDS]) as BackendName[],
    runs: Number(values.get('runs') ?? 3),
    adminUrl: values.get('database-url') ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:54329/postgres',
    timeoutMs: Number(values.get('timeout-ms') ?? 60_000),
  };
}

const FILTERS: readonly { name: string; text: string }[] = [
  { name: '50 terms co "<i>"', text: terms(50, (i) => `emails[value co "${i}"]`) },
  { name: '400 terms co "<i>"', text: terms(400, (i) => `emails[value co "${i}"]`) },
  { name: '50 terms co "e" (every user passes)', text: terms(50, () => 'emails[value co "e"]') },
];

function terms(count: number, term: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => term(i)).join(' and ');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const registry = new SchemaRegistry();
  const lines: string[] = [];
  for (const backend of options.backends) {
    const storage = await createStorage(backend, 'filter_cost', options.adminUrl);
    try {
      const direct = await storage.open(8);
      try {
        const dataSource = await openReadModelDataSource({ connectionString: direct.connectionString, poolSize: 2 });
        const seedStarted = performance.now();
        await seedUsers(dataSource, options.users);
        const seedSeconds = (performance.now() - seedStarted) / 1000;
        console.log(`${backend}: ${options.users} users seeded in ${seedSeconds.toFixed(1)} s`);
        const readPool = backend === 'postgres' ? openReadPool(direct.connectionString, 1, options.timeoutMs) : null;
        const jitPool = backend === 'postgres' ? openReadPool(direct.connectionString, 1, options.timeoutMs) : null;
        if (jitPool) await jitPool.queries.query('SET jit = on');
        const reads: SqlQueryable = readPool?.queries ?? preparedQueries(dataSource);
        const variants: { name: string; queries: SqlQueryable; prefilter: boolean; skip?: boolean }[] = [
          { name: 'with prefilter', queries: reads, prefilter: true },
          { name: 'without prefilter', queries: reads, prefilter: false, skip: backend === 'pglite' && options.users > 20_000 },
          ...(jitPool ? [{ name: 'without prefilter, JIT on', queries: jitPool.queries, prefilter: false }] : []),
        ];
        for (const filter of FILTERS) {
          for (const variant of variants) {
            if (variant.skip) {
              lines.push(`| ${backend} | ${options.users} | ${filter.name} | ${variant.name} | not run (PGlite has no timeout) | |`);
              continue;
            }
            const times: number[] = [];
            let outcome = '';
            for (let run = 0; run < options.runs; run++) {
              const mapping = variant.prefilter ? USER_COLUMN_MAPPING : { ...USER_COLUMN_MAPPING, documentTextColumn: undefined };
              const started = performance.now();
              try {
                const where = compileFilterToSql(parseFilter(filter.text), mapping, registry, 'User', 2);
                const statements = buildSearchStatements({
                  table: 'scim_users',
                  columns: ['id', 'attributes', 'version', 'created_at', 'last_modified_at'],
                  tenantId: TENANT,
                  where,
                  tieBreakers: ['created_at', 'id'],
                  startIndex: 1,
                  count: 100,
                });
                const result = await runSearch(variant.queries, statements, 100);
                outcome = `${result.total} matches`;
                times.push(performance.now() - started);
              } catch (error) {
                if (error instanceof ScimError) {
                  // Refused before any SQL ran (the parser's limits): what the client gets, and how fast.
                  outcome = `refused: ${error.status} ${error.scimType ?? ''} ${error.detail}`;
                  times.push(performance.now() - started);
                  continue;
                }
                outcome = error instanceof Error ? error.message : String(error);
                times.push(Number.POSITIVE_INFINITY);
                break; // a timeout would only repeat
              }
            }
            const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
            const shown = Number.isFinite(median) ? `${median.toFixed(0)} ms` : `> ${options.timeoutMs} ms`;
            const line = `| ${backend} | ${options.users} | ${filter.name} | ${variant.name} | ${shown} | ${outcome} |`;
            console.log(line);
            lines.push(line);
          }
        }
        await readPool?.close();
        await jitPool?.close();
        await dataSource.destroy();
      } finally {
        await direct.close();
      }
    } finally {
      await storage.dispose();
    }
  }
  console.log(['', '| backend | users | filter | variant | median of the runs | answer |', '|---|---|---|---|---|---|', ...lines].join('\n'));
}

/** Users as the projection writes them (derived columns included), 10,000 a statement; then ANALYZE. */
async function seedUsers(dataSource: { query(sql: string, params?: unknown[]): Promise<unknown> }, count: number): Promise<void> {
  for (let from = 1; from <= count; from += 10_000) {
    const to = Math.min(count, from + 9_999);
    await dataSource.query(
      `INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, active, work_emails_lower, attributes, version, created_at, last_modified_at)
       SELECT $1, gen_random_uuid(), 'user' || i || '@example.com', 'user' || i || '@example.com', 'ext-' || i, 'User ' || i, true,
              ARRAY['user' || i || '@example.com'],
              jsonb_build_object(
                'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
                'userName', 'user' || i || '@example.com', 'externalId', 'ext-' || i, 'displayName', 'User ' || i, 'active', true,
                'name', jsonb_build_object('givenName', 'Given' || i, 'familyName', 'Family' || i),
                'emails', jsonb_build_array(
                  jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true),
                  jsonb_build_object('value', 'u' || i || '@home.example.org', 'type', 'home'))),
              1, now(), now()
       FROM generate_series($2::int, $3::int) AS i`,
      [TENANT, from, to],
    );
  }
  await dataSource.query('ANALYZE scim_users');
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await disposeAllStorage();
    process.exit(1);
  },
);
