import { ConfigError, loadGatewayConfig, type GatewayConfig, type ProcessFacts } from '#config/gateway.config.js';
import { loadKafkaConfig, type KafkaConfig } from '#config/kafka.config.js';

/** The projector's own variables; the database and Kafka ones are the gateway's (libs/config). */
export const PROJECTOR_CONFIG_VARIABLES = {
  PROJECTOR_PORT: 'port of the projector status server: /health, /ready, /metrics (default 3001; 0 = any free port)',
  PROJECTOR_LOCK_RETRY_MS: 'how often a standby projector tries to take over a projection (default 2000)',
} as const;

export interface ProjectorConfig {
  /** PostgreSQL: the read model, checkpoints, advisory locks, and the events too unless eventStore is eventstoredb. */
  readonly databaseUrl: string;
  readonly databasePoolSize: number;
  /** statement_timeout of the read-model connections (LONG_STATEMENT_TIMEOUT_MS, as the gateway's projection). */
  readonly longStatementTimeoutMs: number;
  readonly eventStore: GatewayConfig['eventStore'];
  readonly eventStoreUrl: string | undefined;
  readonly logLevel: GatewayConfig['logLevel'];
  /** LOG_FORMAT, validated and defaulted as the gateway's (json unless stdout is a terminal). */
  readonly logFormat: GatewayConfig['logFormat'];
  readonly host: string;
  readonly port: number;
  readonly lockRetryMs: number;
  /** null: no Kafka projection (KAFKA_BROKERS unset). */
  readonly kafka: KafkaConfig | null;
  /** METRICS_ENABLED and METRICS_TENANT_LABEL, read as the gateway reads them. */
  readonly metricsEnabled: boolean;
  readonly metricsTenantLabel: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The distributed topology's projector (DESIGN.md "Two ways to run"): a PostgreSQL server is required. */
export function loadProjectorConfig(env: Env, facts: ProcessFacts = {}): ProjectorConfig {
  const problems: string[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const gateway = collect(() => loadGatewayConfig(env, facts));
  const kafka = collect(() => loadKafkaConfig(env));
  if (gateway && gateway.databaseUrl === undefined) {
    problems.push('DATABASE_URL is required: the projector serves the distributed topology (embedded mode runs projections in the gateway)');
  }
  const integer = (name: keyof typeof PROJECTOR_CONFIG_VARIABLES, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}="${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const port = integer('PROJECTOR_PORT', 3001, 0, 65535);
  const lockRetryMs = integer('PROJECTOR_LOCK_RETRY_MS', 2000, 100, 60_000);
  if (problems.length > 0 || !gateway) throw new ConfigError(problems);
  return {
    databaseUrl: gateway.databaseUrl!,
    databasePoolSize: gateway.databasePoolSize,
    longStatementTimeoutMs: gateway.longStatementTimeoutMs,
    eventStore: gateway.eventStore,
    eventStoreUrl: gateway.eventStoreUrl,
    logLevel: gateway.logLevel,
    logFormat: gateway.logFormat,
    host: gateway.host,
    port,
    lockRetryMs,
    kafka: kafka ?? null,
    metricsEnabled: gateway.metricsEnabled,
    metricsTenantLabel: gateway.metricsTenantLabel,
  };
}
