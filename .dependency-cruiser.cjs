/**
 * Layer rules (STYLE.md principle 1): libs/scim and libs/domain are pure — no framework, no database client,
 * no I/O — and the inner libraries never reach outward. Checked by `npm test` (npm run lint:deps).
 */
const IO_AND_FRAMEWORKS =
  '^(node_modules/(@nestjs|typeorm|pg|pg-[a-z-]+|kafkajs|@eventstore|@electric-sql|express)/|(node:)?(fs|net|http|https|child_process|dgram|dns|tls|cluster|worker_threads)$)';

module.exports = {
  forbidden: [
    {
      name: 'scim-is-pure',
      comment: 'libs/scim is the pure protocol core: no Nest, TypeORM, database or network clients, no file or network I/O.',
      severity: 'error',
      from: { path: '^libs/scim/src' },
      to: { path: IO_AND_FRAMEWORKS },
    },
    {
      name: 'domain-is-pure',
      comment: 'libs/domain holds pure deciders: no Nest, TypeORM, database or network clients, no file or network I/O.',
      severity: 'error',
      from: { path: '^libs/domain/src' },
      to: { path: IO_AND_FRAMEWORKS },
    },
    {
      name: 'scim-depends-on-nothing-of-ours',
      comment: 'libs/scim is the innermost library.',
      severity: 'error',
      from: { path: '^libs/scim/src', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(libs/(domain|event-store|postgres|read-model|kafka|config|observability|testing)|apps)/' },
    },
    {
      name: 'domain-depends-only-on-scim',
      severity: 'error',
      from: { path: '^libs/domain/src', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(libs/(event-store|postgres|read-model|kafka|config|observability|testing)|apps)/' },
    },
    {
      name: 'postgres-depends-on-nothing-of-ours',
      comment:
        'libs/postgres is PostgreSQL plumbing (the embedded server, pg helpers) that the event store and the read model share: it knows neither.',
      severity: 'error',
      from: { path: '^libs/postgres/src', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(libs/(scim|domain|event-store|read-model|kafka|config|observability|testing)|apps)/' },
    },
    {
      name: 'event-store-knows-no-scim',
      comment: 'The event store throws its own errors (event-store.errors.ts); the gateway maps them to SCIM errors in one place.',
      severity: 'error',
      from: { path: '^libs/event-store/src', pathNot: '(\\.spec|\\.test-support)\\.ts$' },
      to: { path: '^libs/scim/' },
    },
    {
      name: 'read-model-uses-the-event-store-port-only',
      comment: "The read model reads events through the port and runs as a projection; the adapters' internals are not its business.",
      severity: 'error',
      from: { path: '^libs/read-model/src', pathNot: '\\.spec\\.ts$' },
      to: { path: '^libs/event-store/src/(postgres|eventstoredb)/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'admin-cli-is-an-http-client',
      comment: 'apps/admin talks to the admin API over HTTP only, so it works the same against every deployment.',
      severity: 'error',
      from: { path: '^apps/admin/src', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(apps/(gateway|projector)|libs/(event-store|read-model|kafka|domain))/' },
    },
    {
      name: 'console-is-an-admin-api-client',
      comment:
        'apps/console is browser code that talks to the gateway over HTTP only (the admin API, /health, /ready, and the SCIM endpoint for the connection test): none of the server, no library of ours, no package.',
      severity: 'error',
      from: { path: '^apps/console/src', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^apps/console/src/' },
    },
    {
      name: 'test-support-stays-in-tests',
      comment:
        'Test support (libs/testing, *.test-support.ts) is left out of the build (tsconfig.build.json) and the image: only specs and other test support import it.',
      severity: 'error',
      from: { pathNot: '(\\.spec\\.ts|\\.test-support\\.ts)$|^libs/testing/' },
      to: { path: '\\.test-support\\.ts$|^libs/testing/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    combinedDependencies: true,
  },
};
