/**
 * The gateway's configuration, read once from the environment and validated at boot (DESIGN.md "Two ways to
 * run"). A bad value stops the start with a message naming the variable. Pure: takes the environment as data.
 */
import { DEFAULT_REQUEST_LIMITS, REQUEST_LIMIT_CEILINGS, type RequestLimits } from '#scim/messages/request-limits.js';

export type LogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** json: one JSON object per line (docs/observability.md "Logs"); text: Nest's coloured lines, for a terminal. */
export type LogFormat = 'json' | 'text';

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /** Where the embedded PGlite keeps its files (ignored when databaseUrl is set). */
  readonly dataDir: string;
  /** A PostgreSQL server instead of the embedded PGlite. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** Sets the default tenant's token instead of generating one (for automation). */
  readonly scimBearerToken: string | undefined;
  readonly logLevel: LogLevel;
  /** LOG_FORMAT; unset: json when stdout is not a terminal (containers, CI, log shippers), text when it is. */
  readonly logFormat: LogFormat;
  /** The externally visible base URL (behind a proxy); defaults to http://localhost:PORT. */
  readonly publicBaseUrl: string;
  /** Longest a write waits for the read model to catch up before answering (read-your-writes). */
  readonly readYourWritesTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** A JSON file of custom extension schemas (an array of { resourceType, schema, required? }). */
  readonly extensionsFile: string | undefined;
  /** What to do with attributes no schema defines: 400 invalidSyntax, or drop them. */
  readonly unknownAttributes: 'reject' | 'ignore';
  /** A new tenant's externalId uniqueness (RFC 7643 §3.1: none); the admin API sets it per tenant. */
  readonly externalIdUniqueness: 'none' | 'server';
  /** A new tenant's answer to group members that do not exist: apply the known ones, or 400; per tenant too. */
  readonly unknownGroupMembers: 'skip' | 'reject';
  /** Where events live: PostgreSQL (PGlite or DATABASE_URL) or EventStoreDB (EVENTSTORE_URL). */
  readonly eventStore: 'postgres' | 'eventstoredb';
  readonly eventStoreUrl: string | undefined;
  /**
   * in-process: this gateway runs the projections (embedded, or one gateway). external: apps/projector runs them
   * (distributed topology) and writes wait for the read model by reading its checkpoint.
   */
  readonly projections: 'in-process' | 'external';
  /** The admin API's bearer token; undefined = generate one on first start (stored hashed). */
  readonly adminToken: string | undefined;
  /** Requests per second allowed per SCIM token; 0 = no limit (the default). */
  readonly rateLimitPerSecond: number;
  /** Requests a token may send at once above its rate before 429s start. */
  readonly rateLimitBurst: number;
  /** How long a rotated token keeps working unless the rotation names another grace period. */
  readonly tokenRotationGraceSeconds: number;
  /** Provisioning-log entries older than this many days are deleted. */
  readonly provisioningLogRetentionDays: number;
  /** Bounds on filters, attribute lists, PATCH and JSON bodies (docs/operations.md "Limits"). */
  readonly requestLimits: RequestLimits;
  /** statement_timeout of the SCIM reads on a PostgreSQL server (PGlite enforces none). */
  readonly readStatementTimeoutMs: number;
  /** statement_timeout of everything else on the read-model database: projection, admin queries, tenancy. */
  readonly longStatementTimeoutMs: number;
  /** SCIM reads one tenant may have running at once in this process; more are answered 429. */
  readonly readConcurrencyPerTenant: number;
  /** Reads of one tenant that may wait for a slot (each at most readStatementTimeoutMs); more are answered 429. */
  readonly readQueuePerTenant: number;
  /** prom-client metrics at /metrics (gateway and projector); false: no registry, no-op recorders, /metrics 404. */
  readonly metricsEnabled: boolean;
  /** A `tenant` label on the series that have one: one series per tenant, so off by default. */
  readonly metricsTenantLabel: boolean;
  /** CONSOLE_ENABLED: the admin console at /console and its sign-in at /admin/v1/session (docs/console.md). */
  readonly consoleEnabled: boolean;
  /** CONSOLE_SESSION_IDLE_MINUTES: a console session ends after this long without a request. */
  readonly consoleSessionIdleMinutes: number;
  /** CONSOLE_SESSION_MAX_HOURS: a console session ends this long after sign-in, however busy. */
  readonly consoleSessionMaxHours: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** Every variable the gateway reads, with its default and meaning: the README's table is generated from the same facts. */
export const CONFIG_VARIABLES = {
  PORT: 'HTTP port (default 3000)',
  HOST: 'interface to listen on (default 0.0.0.0)',
  DATA_DIR: 'directory of the embedded PGlite database and its lock file (default ./data)',
  DATABASE_URL: 'postgres://... of a PostgreSQL server; unset = embedded PGlite in DATA_DIR',
  DATABASE_POOL_SIZE: 'connections in each pool (default 10)',
  SCIM_BEARER_TOKEN: "the default tenant's SCIM token (at least 16 characters); unset = generate one on first start",
  LOG_LEVEL: 'error | warn | log | debug | verbose (default log)',
  LOG_FORMAT: 'json | text: one JSON object per log line, or Nest\'s text lines (default json when stdout is not a terminal, text when it is)',
  PUBLIC_BASE_URL: 'base URL clients use, e.g. https://scim.example.com (default http://localhost:PORT)',
  READ_YOUR_WRITES_TIMEOUT_MS: 'longest a write waits for the read model before answering (default 5000)',
  MAX_BODY_BYTES: 'largest accepted request body in bytes (default 1048576)',
  SCIM_EXTENSIONS_FILE: 'JSON file of custom extension schemas to register (default: none)',
  SCIM_UNKNOWN_ATTRIBUTES: 'reject | ignore: attributes no schema defines (default reject, 400 invalidSyntax)',
  SCIM_EXTERNAL_ID_UNIQUENESS: "none | server: a new tenant's externalId uniqueness (default none, RFC 7643 §3.1); the admin API sets it per tenant",
  SCIM_UNKNOWN_GROUP_MEMBERS: "skip | reject: a new tenant's answer to group members that do not exist (default skip: the known ones are applied); per tenant in the admin API",
  EVENT_STORE: 'postgres | eventstoredb: where events are stored (default postgres: PGlite, or DATABASE_URL)',
  EVENTSTORE_URL: 'esdb://... connection string of EventStoreDB (required when EVENT_STORE=eventstoredb)',
  PROJECTIONS: 'in-process | external: run the projections in this gateway (default) or leave them to apps/projector',
  ADMIN_TOKEN: 'bearer token of the admin API /admin/v1 (at least 16 characters); unset = generate one on first start',
  RATE_LIMIT_PER_SECOND: 'SCIM requests per second allowed per token, answered 429 with Retry-After above it (default 0: off)',
  RATE_LIMIT_BURST: 'requests a token may send in a burst above its rate (default: twice RATE_LIMIT_PER_SECOND)',
  TOKEN_ROTATION_GRACE_SECONDS: 'how long a rotated SCIM token keeps working (default 86400, one day)',
  PROVISIONING_LOG_RETENTION_DAYS: 'days the provisioning log keeps each request (default 30)',
  FILTER_MAX_LENGTH: 'longest filter in characters, 400 invalidFilter above (default 4096)',
  FILTER_MAX_COMPARISONS: 'most comparisons in one filter, 400 invalidFilter above (default 50)',
  FILTER_MAX_DEPTH: 'deepest nesting of "(", "not (" and "[" in a filter, 400 invalidFilter above (default 16)',
  FILTER_MAX_ATTRIBUTE_PATHS: 'most distinct attribute paths in one filter, 400 invalidFilter above (default 20)',
  ATTRIBUTES_MAX_ENTRIES: 'most names in attributes / excludedAttributes, 400 invalidValue above (default 100)',
  ATTRIBUTES_MAX_LENGTH: 'longest attributes / excludedAttributes list in characters, 400 invalidValue above (default 4096)',
  PATCH_MAX_OPERATIONS: 'most operations in one PATCH, 400 invalidValue above (default 1000)',
  JSON_MAX_DEPTH: 'deepest nesting of objects and arrays in a request body, 400 invalidSyntax above (default 32)',
  JSON_MAX_STRING_LENGTH: 'longest string (or key) in a request body in characters, 400 invalidValue above (default 16384)',
  READ_STATEMENT_TIMEOUT_MS: 'PostgreSQL server: a SCIM read running longer is stopped; a filtered search answers 400 invalidFilter, others 503 (default 5000)',
  LONG_STATEMENT_TIMEOUT_MS: 'PostgreSQL server: the same for the projection, the admin API, tenancy and the provisioning log (default 120000)',
  READ_CONCURRENCY_PER_TENANT: 'SCIM reads one tenant may have running at once per gateway; more wait in its queue (default 4)',
  READ_QUEUE_PER_TENANT: 'SCIM reads of one tenant that may wait for a slot, each up to READ_STATEMENT_TIMEOUT_MS; more are answered 429 with Retry-After (default 16; 0 = refuse at once)',
  METRICS_ENABLED: 'true | false: Prometheus metrics at /metrics on the gateway and the projector (default true; false answers /metrics 404)',
  METRICS_TENANT_LABEL: 'true | false: a tenant label on the request, outcome and rate-limit series (default false: one series per tenant multiplies them)',
  CONSOLE_ENABLED: 'true | false: the admin console at /console, signed in with an admin token (default true; false answers /console and /admin/v1/session 404)',
  CONSOLE_SESSION_IDLE_MINUTES: 'a console session ends after this many minutes without a request (default 30)',
  CONSOLE_SESSION_MAX_HOURS: 'a console session ends this many hours after sign-in, however busy (default 12)',
} as const;

/** Facts about the process the configuration depends on besides the environment. */
export interface ProcessFacts {
  /** process.stdout.isTTY: picks LOG_FORMAT's default. */
  readonly stdoutIsTerminal?: boolean;
}

/**
 * LOG_FORMAT, or its default for this stdout; undefined when the value is neither json nor text. Exported on its
 * own so a process can log in the right format before the rest of its configuration has been validated.
 */
export function logFormatOf(env: Env, facts: ProcessFacts = {}): LogFormat | undefined {
  const raw = env.LOG_FORMAT?.trim().toLowerCase();
  if (raw === undefined || raw === '') return facts.stdoutIsTerminal ? 'text' : 'json';
  return raw === 'json' || raw === 'text' ? raw : undefined;
}

export function loadGatewayConfig(env: Env, facts: ProcessFacts = {}): GatewayConfig {
  const problems: string[] = [];
  const integer = (name: keyof typeof CONFIG_VARIABLES, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}="${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const text = (name: keyof typeof CONFIG_VARIABLES): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  const port = integer('PORT', 3000, 0, 65535);
  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const scimBearerToken = text('SCIM_BEARER_TOKEN');
  if (scimBearerToken !== undefined && scimBearerToken.length < 16) {
    problems.push('SCIM_BEARER_TOKEN must be at least 16 characters (a guessable token protects nothing)');
  }
  const logLevel = (text('LOG_LEVEL') ?? 'log') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL="${env.LOG_LEVEL}" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = logFormatOf(env, facts);
  if (logFormat === undefined) problems.push(`LOG_FORMAT="${env.LOG_FORMAT}" must be json or text`);
  const publicBaseUrl = (text('PUBLIC_BASE_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(publicBaseUrl)) {
    problems.push(`PUBLIC_BASE_URL="${env.PUBLIC_BASE_URL}" must be an http(s) URL`);
  }

  const unknownAttributes = text('SCIM_UNKNOWN_ATTRIBUTES') ?? 'reject';
  if (unknownAttributes !== 'reject' && unknownAttributes !== 'ignore') {
    problems.push(`SCIM_UNKNOWN_ATTRIBUTES="${env.SCIM_UNKNOWN_ATTRIBUTES}" must be reject or ignore`);
  }

  const externalIdUniqueness = text('SCIM_EXTERNAL_ID_UNIQUENESS') ?? 'none';
  if (externalIdUniqueness !== 'none' && externalIdUniqueness !== 'server') {
    problems.push(`SCIM_EXTERNAL_ID_UNIQUENESS="${env.SCIM_EXTERNAL_ID_UNIQUENESS}" must be none or server`);
  }
  const unknownGroupMembers = text('SCIM_UNKNOWN_GROUP_MEMBERS') ?? 'skip';
  if (unknownGroupMembers !== 'skip' && unknownGroupMembers !== 'reject') {
    problems.push(`SCIM_UNKNOWN_GROUP_MEMBERS="${env.SCIM_UNKNOWN_GROUP_MEMBERS}" must be skip or reject`);
  }

  const eventStore = text('EVENT_STORE') ?? 'postgres';
  const eventStoreUrl = text('EVENTSTORE_URL');
  if (eventStore !== 'postgres' && eventStore !== 'eventstoredb') {
    problems.push(`EVENT_STORE="${env.EVENT_STORE}" must be postgres or eventstoredb`);
  }
  if (eventStore === 'eventstoredb' && eventStoreUrl === undefined) {
    problems.push('EVENTSTORE_URL is required when EVENT_STORE=eventstoredb (e.g. esdb://localhost:2113?tls=false)');
  }
  if (eventStoreUrl !== undefined && !/^(esdb|esdb\+discover):\/\//.test(eventStoreUrl)) {
    problems.push('EVENTSTORE_URL must start with esdb:// or esdb+discover://');
  }

  const projections = text('PROJECTIONS') ?? 'in-process';
  if (projections !== 'in-process' && projections !== 'external') {
    problems.push(`PROJECTIONS="${env.PROJECTIONS}" must be in-process or external`);
  }
  if (projections === 'external' && databaseUrl === undefined) {
    problems.push('PROJECTIONS=external needs DATABASE_URL: the projector and the gateways share the read model');
  }

  const adminToken = text('ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push('ADMIN_TOKEN must be at least 16 characters (a guessable token protects nothing)');
  }
  const rateLimitPerSecond = integer('RATE_LIMIT_PER_SECOND', 0, 0, 1_000_000);
  const flag = (name: keyof typeof CONFIG_VARIABLES, fallback: boolean): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${name}="${env[name]}" must be true or false`);
    return fallback;
  };

  const config: GatewayConfig = {
    port,
    host: text('HOST') ?? '0.0.0.0',
    dataDir: text('DATA_DIR') ?? './data',
    databaseUrl,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
    scimBearerToken,
    logLevel: LOG_LEVELS.includes(logLevel) ? logLevel : 'log',
    logFormat: logFormat ?? 'json',
    publicBaseUrl,
    readYourWritesTimeoutMs: integer('READ_YOUR_WRITES_TIMEOUT_MS', 5000, 0, 60000),
    maxBodyBytes: integer('MAX_BODY_BYTES', 1048576, 1024, 100 * 1048576),
    extensionsFile: text('SCIM_EXTENSIONS_FILE'),
    unknownAttributes: unknownAttributes === 'ignore' ? 'ignore' : 'reject',
    externalIdUniqueness: externalIdUniqueness === 'server' ? 'server' : 'none',
    unknownGroupMembers: unknownGroupMembers === 'reject' ? 'reject' : 'skip',
    eventStore: eventStore === 'eventstoredb' ? 'eventstoredb' : 'postgres',
    eventStoreUrl,
    projections: projections === 'external' ? 'external' : 'in-process',
    adminToken,
    rateLimitPerSecond,
    rateLimitBurst: integer('RATE_LIMIT_BURST', Math.max(1, rateLimitPerSecond * 2), 1, 10_000_000),
    tokenRotationGraceSeconds: integer('TOKEN_ROTATION_GRACE_SECONDS', 86_400, 0, 365 * 86_400),
    provisioningLogRetentionDays: integer('PROVISIONING_LOG_RETENTION_DAYS', 30, 1, 3650),
    requestLimits: loadRequestLimits(integer),
    readStatementTimeoutMs: integer('READ_STATEMENT_TIMEOUT_MS', 5_000, 100, 600_000),
    longStatementTimeoutMs: integer('LONG_STATEMENT_TIMEOUT_MS', 120_000, 1_000, 86_400_000),
    readConcurrencyPerTenant: integer('READ_CONCURRENCY_PER_TENANT', 4, 1, 1_000),
    readQueuePerTenant: integer('READ_QUEUE_PER_TENANT', 16, 0, 10_000),
    metricsEnabled: flag('METRICS_ENABLED', true),
    metricsTenantLabel: flag('METRICS_TENANT_LABEL', false),
    consoleEnabled: flag('CONSOLE_ENABLED', true),
    consoleSessionIdleMinutes: integer('CONSOLE_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    consoleSessionMaxHours: integer('CONSOLE_SESSION_MAX_HOURS', 12, 1, 24 * 7),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Each limit defaults to DEFAULT_REQUEST_LIMITS and may be set from 1 to its ceiling (REQUEST_LIMIT_CEILINGS). */
function loadRequestLimits(integer: (name: keyof typeof CONFIG_VARIABLES, fallback: number, min: number, max: number) => number): RequestLimits {
  const [defaults, ceilings] = [DEFAULT_REQUEST_LIMITS, REQUEST_LIMIT_CEILINGS];
  return {
    filter: {
      maxLength: integer('FILTER_MAX_LENGTH', defaults.filter.maxLength, 1, ceilings.filter.maxLength),
      maxComparisons: integer('FILTER_MAX_COMPARISONS', defaults.filter.maxComparisons, 1, ceilings.filter.maxComparisons),
      maxDepth: integer('FILTER_MAX_DEPTH', defaults.filter.maxDepth, 1, ceilings.filter.maxDepth),
      maxAttributePaths: integer('FILTER_MAX_ATTRIBUTE_PATHS', defaults.filter.maxAttributePaths, 1, ceilings.filter.maxAttributePaths),
    },
    attributeList: {
      maxEntries: integer('ATTRIBUTES_MAX_ENTRIES', defaults.attributeList.maxEntries, 1, ceilings.attributeList.maxEntries),
      maxLength: integer('ATTRIBUTES_MAX_LENGTH', defaults.attributeList.maxLength, 1, ceilings.attributeList.maxLength),
    },
    patchOperations: integer('PATCH_MAX_OPERATIONS', defaults.patchOperations, 1, ceilings.patchOperations),
    json: {
      maxDepth: integer('JSON_MAX_DEPTH', defaults.json.maxDepth, 4, ceilings.json.maxDepth),
      maxStringLength: integer('JSON_MAX_STRING_LENGTH', defaults.json.maxStringLength, 1024, ceilings.json.maxStringLength),
    },
  };
}

export const GATEWAY_CONFIG = Symbol('GatewayConfig');
