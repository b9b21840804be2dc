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
  /** TLS to the brokers (KAFKA_SSL=true); absent = plaintext. */
  readonly tls?: KafkaTlsConfig;
  /** SASL authentication (KAFKA_SASL_MECHANISM); absent = none. */
  readonly sasl?: KafkaSaslConfig;
}

/**
 * TLS settings. Files are paths: the one place that builds the kafkajs client (libs/kafka kafka-client.options.ts)
 * reads them, so a file that cannot be read or does not hold what it should fails the start there, by name.
 */
export interface KafkaTlsConfig {
  /** PEM file of the CA certificate(s) to trust instead of Node's default store (a private CA, a test broker). */
  readonly caFile?: string;
  /** PEM client certificate (mutual TLS); always together with keyFile. */
  readonly certFile?: string;
  /** PEM private key of certFile (unencrypted). */
  readonly keyFile?: string;
  /** false only for testing: any certificate is accepted, so anyone on the path can pose as the brokers. */
  readonly rejectUnauthorized: boolean;
}

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** SASL settings; exactly one of password and passwordFile is set. Nothing may log this object. */
export interface KafkaSaslConfig {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password?: string;
  /** Read when the client is built (a mounted secret); one trailing newline is dropped. */
  readonly passwordFile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Every variable the Kafka projection reads, with its default and meaning (for the README and docs/kafka.md). */
export const KAFKA_CONFIG_VARIABLES = {
  KAFKA_BROKERS: 'comma-separated host:port of the Kafka bootstrap brokers; unset = no Kafka projection',
  KAFKA_TOPIC_PREFIX: 'topic names are <prefix>.users and <prefix>.groups (default scim)',
  KAFKA_PARTITIONS: 'partitions of each topic when the projection creates it (default 3)',
  KAFKA_REPLICATION_FACTOR: 'replicas of each topic when the projection creates it (default 1; 3 on a production cluster)',
  KAFKA_CLIENT_ID: 'client id the projection shows the brokers (default scim-gateway)',
  KAFKA_SSL: 'true = connect to the brokers with TLS (default false)',
  KAFKA_SSL_CA_FILE: "PEM file of the CA certificate(s) to trust instead of Node's default store (needs KAFKA_SSL=true)",
  KAFKA_SSL_CERT_FILE: 'PEM client certificate for mutual TLS (with KAFKA_SSL_KEY_FILE; needs KAFKA_SSL=true)',
  KAFKA_SSL_KEY_FILE: 'PEM unencrypted private key of KAFKA_SSL_CERT_FILE',
  KAFKA_SSL_REJECT_UNAUTHORIZED: 'false = accept any broker certificate, for testing only (default true; logs a warning)',
  KAFKA_SASL_MECHANISM: 'plain | scram-sha-256 | scram-sha-512: SASL authentication (default unset: none)',
  KAFKA_SASL_USERNAME: 'SASL user name (required with KAFKA_SASL_MECHANISM)',
  KAFKA_SASL_PASSWORD: 'SASL password (or KAFKA_SASL_PASSWORD_FILE; one of them is required with KAFKA_SASL_MECHANISM)',
  KAFKA_SASL_PASSWORD_FILE: 'file holding the SASL password, read at start (a mounted secret; one trailing newline is dropped)',
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

  const tls = loadTls(text, problems);
  const sasl = loadSasl(env, text, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  if (brokers.length === 0) return null;
  return { brokers, topicPrefix, partitions, replicationFactor, clientId, ...(tls && { tls }), ...(sasl && { sasl }) };
}

type Text = (name: keyof typeof KAFKA_CONFIG_VARIABLES) => string | undefined;

function boolean(text: Text, name: keyof typeof KAFKA_CONFIG_VARIABLES, fallback: boolean, problems: string[]): boolean {
  const raw = text(name);
  if (raw === undefined) return fallback;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  problems.push(`${name}="${raw}" must be true or false`);
  return fallback;
}

function loadTls(text: Text, problems: string[]): KafkaTlsConfig | undefined {
  const enabled = boolean(text, 'KAFKA_SSL', false, problems);
  const caFile = text('KAFKA_SSL_CA_FILE');
  const certFile = text('KAFKA_SSL_CERT_FILE');
  const keyFile = text('KAFKA_SSL_KEY_FILE');
  const rejectUnauthorized = boolean(text, 'KAFKA_SSL_REJECT_UNAUTHORIZED', true, problems);
  if (!enabled) {
    // A TLS setting without TLS is a half-done configuration: better stopped than silently sent in plaintext.
    const set = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_REJECT_UNAUTHORIZED'] as const).filter(
      (name) => text(name) !== undefined,
    );
    if (set.length > 0) problems.push(`${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set but KAFKA_SSL is not true: set KAFKA_SSL=true to connect with TLS`);
    return undefined;
  }
  if (certFile !== undefined && keyFile === undefined) {
    problems.push('KAFKA_SSL_CERT_FILE is set without KAFKA_SSL_KEY_FILE: mutual TLS needs the certificate and its private key');
  }
  if (keyFile !== undefined && certFile === undefined) {
    problems.push('KAFKA_SSL_KEY_FILE is set without KAFKA_SSL_CERT_FILE: mutual TLS needs the certificate and its private key');
  }
  return { ...(caFile && { caFile }), ...(certFile && { certFile }), ...(keyFile && { keyFile }), rejectUnauthorized };
}

function loadSasl(env: Env, text: Text, problems: string[]): KafkaSaslConfig | undefined {
  const mechanismText = text('KAFKA_SASL_MECHANISM');
  const username = text('KAFKA_SASL_USERNAME');
  // The password is taken as given (spaces may be part of it); only an empty or blank value counts as unset.
  const rawPassword = env.KAFKA_SASL_PASSWORD;
  const password = rawPassword === undefined || rawPassword.trim() === '' ? undefined : rawPassword;
  const passwordFile = text('KAFKA_SASL_PASSWORD_FILE');
  if (mechanismText === undefined) {
    const set = [
      ...(username !== undefined ? ['KAFKA_SASL_USERNAME'] : []),
      ...(password !== undefined ? ['KAFKA_SASL_PASSWORD'] : []),
      ...(passwordFile !== undefined ? ['KAFKA_SASL_PASSWORD_FILE'] : []),
    ];
    if (set.length > 0) {
      problems.push(`${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set but KAFKA_SASL_MECHANISM is not: set it to ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    }
    return undefined;
  }
  const mechanism = mechanismText.toLowerCase() as KafkaSaslMechanism;
  if (!KAFKA_SASL_MECHANISMS.includes(mechanism)) {
    problems.push(`KAFKA_SASL_MECHANISM="${mechanismText}" must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
  }
  if (username === undefined) problems.push(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${mechanismText}`);
  if (password === undefined && passwordFile === undefined) {
    problems.push(`KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM=${mechanismText}`);
  }
  if (password !== undefined && passwordFile !== undefined) {
    problems.push('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set: keep one');
  }
  return { mechanism, username: username ?? '', ...(password !== undefined && { password }), ...(passwordFile && { passwordFile }) };
}

/**
 * What a valid configuration allows but an operator should hear about at start (logged where the client is
 * built). Never holds a secret.
 */
export function kafkaConfigWarnings(config: Pick<KafkaConfig, 'tls' | 'sasl'>): string[] {
  const warnings: string[] = [];
  if (config.sasl?.mechanism === 'plain' && !config.tls) {
    warnings.push('KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true: the SASL password crosses the network in clear text');
  }
  if (config.tls && !config.tls.rejectUnauthorized) {
    warnings.push('KAFKA_SSL_REJECT_UNAUTHORIZED=false: the brokers\' certificates are not checked, so anyone on the path can pose as them (and read the SASL password); for testing only');
  }
  return warnings;
}

export const KAFKA_CONFIG = Symbol('KafkaConfig');
