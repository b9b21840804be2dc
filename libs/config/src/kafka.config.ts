import { ConfigError } from './gateway.config.js';

/**
 * The Kafka projection's configuration (DESIGN.md "Kafka"), read once from the environment and validated at boot.
 * Pure, like loadGatewayConfig: takes the environment as data. KAFKA_BROKERS unset means the projection is off,
 * so the embedded gateway runs without a broker; the other variables are still checked, so a typo is caught
 * before the day Kafka is switched on.
 */
export interface KafkaConfig {
  /** host:port of the bootstrap brokers. */
  readonly brokers: readonly string[];
  /** Topics are `<prefix>.users` and `<prefix>.groups`. */
  readonly topicPrefix: string;
  /** Partitions of each topic when it is created (an existing topic is left as it is). */
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly clientId: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Every variable the Kafka projection reads, with its default and meaning (for the README and docs/kafka.md). */
export const KAFKA_CONFIG_VARIABLES = {
  KAFKA_BROKERS: 'comma-separated host:port of the Kafka bootstrap brokers; unset = no Kafka projection',
  KAFKA_TOPIC_PREFIX: 'topic names are <prefix>.users and <prefix>.groups (default scim)',
  KAFKA_PARTITIONS: 'partitions of each topic when the projection creates it (default 3)',
  KAFKA_REPLICATION_FACTOR: 'replicas of each topic when the projection creates it (default 1; 3 on a production cluster)',
  KAFKA_CLIENT_ID: 'client id the projection shows the brokers (default scim-gateway)',
} as const;

// Kafka's own rule for topic names (Topic.java): legal characters, and at most 249 of them with our suffix.
const TOPIC_PREFIX = /^[A-Za-z0-9._-]{1,200}$/;
const BROKER = /^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

export function loadKafkaConfig(env: Env): KafkaConfig | null {
  const problems: string[] = [];
  const text = (name: keyof typeof KAFKA_CONFIG_VARIABLES): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const integer = (name: keyof typeof KAFKA_CONFIG_VARIABLES, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}="${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const brokersText = text('KAFKA_BROKERS');
  const brokers = brokersText === undefined ? [] : brokersText.split(',').map((broker) => broker.trim());
  for (const broker of brokers) {
    const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
    if (!BROKER.test(broker) || port < 1 || port > 65535) {
      problems.push(`KAFKA_BROKERS="${brokersText}": "${broker}" is not host:port (e.g. 127.0.0.1:9092,kafka-2:9092)`);
    }
  }
  const topicPrefix = text('KAFKA_TOPIC_PREFIX') ?? 'scim';
  if (!TOPIC_PREFIX.test(topicPrefix)) {
    problems.push(`KAFKA_TOPIC_PREFIX="${env.KAFKA_TOPIC_PREFIX}" may only hold letters, digits, ".", "_" and "-" (at most 200)`);
  }
  const partitions = integer('KAFKA_PARTITIONS', 3, 1, 10_000);
  const replicationFactor = integer('KAFKA_REPLICATION_FACTOR', 1, 1, 32);
  const clientId = text('KAFKA_CLIENT_ID') ?? 'scim-gateway';
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(clientId)) {
    problems.push(`KAFKA_CLIENT_ID="${env.KAFKA_CLIENT_ID}" may only hold letters, digits, ".", "_" and "-"`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  if (brokers.length === 0) return null;
  return { brokers, topicPrefix, partitions, replicationFactor, clientId };
}

export const KAFKA_CONFIG = Symbol('KafkaConfig');
