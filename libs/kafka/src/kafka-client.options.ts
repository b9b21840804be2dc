import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type { KafkaConfig as KafkaClientConfig, SASLOptions } from 'kafkajs';
import { ConfigError } from '#config/gateway.config.js';
import { kafkaConfigWarnings, type KafkaConfig } from '#config/kafka.config.js';

/** The security part of a kafkajs client's options, built from the configuration. */
export interface KafkaClientSecurity {
  /** kafkajs `ssl`: absent = plaintext. */
  readonly ssl?: ConnectionOptions;
  /** kafkajs `sasl`: absent = no authentication. */
  readonly sasl?: SASLOptions;
  /** What the operator should hear at start (kafkaConfigWarnings); no secret in them. */
  readonly warnings: readonly string[];
}

/** How files are read (tests substitute it). */
export type ReadKafkaFile = (path: string) => Buffer;

/**
 * The kafkajs `ssl` and `sasl` options for the configuration: the one place the TLS and SASL files are read, so
 * every client (the gateway's in-process projection, apps/projector, `npm run replay:kafka`) connects the same way.
 * Throws a ConfigError naming the variable when a file cannot be read or does not hold what it should (a
 * certificate, a key matching it, a password), so the process stops at start rather than at its first batch.
 * Neither the error nor the warnings ever contain the password.
 */
export function kafkaClientSecurity(config: Pick<KafkaConfig, 'tls' | 'sasl'>, readFile: ReadKafkaFile = readFileSync): KafkaClientSecurity {
  const problems: string[] = [];
  const read = (variable: string, path: string): Buffer | undefined => {
    try {
      return readFile(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      problems.push(`${variable}="${path}" cannot be read (${reason})`);
      return undefined;
    }
  };

  let ssl: ConnectionOptions | undefined;
  if (config.tls) {
    const { caFile, certFile, keyFile, rejectUnauthorized } = config.tls;
    const ca = caFile === undefined ? undefined : read('KAFKA_SSL_CA_FILE', caFile);
    const cert = certFile === undefined ? undefined : read('KAFKA_SSL_CERT_FILE', certFile);
    const key = keyFile === undefined ? undefined : read('KAFKA_SSL_KEY_FILE', keyFile);
    if (ca) {
      const problem = caProblem(ca);
      if (problem) problems.push(`KAFKA_SSL_CA_FILE="${caFile}" ${problem}`);
    }
    if (cert && key) {
      // Node checks the certificate, the key and that they belong together; said now rather than at the first connect.
      try {
        createSecureContext({ cert, key });
      } catch (error) {
        problems.push(`KAFKA_SSL_CERT_FILE="${certFile}" and KAFKA_SSL_KEY_FILE="${keyFile}" are not a usable PEM certificate and unencrypted key pair: ${(error as Error).message}`);
      }
    }
    ssl = { rejectUnauthorized, ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
  }

  let sasl: SASLOptions | undefined;
  if (config.sasl) {
    const { mechanism, username, passwordFile } = config.sasl;
    let password = config.sasl.password;
    if (passwordFile !== undefined) {
      const content = read('KAFKA_SASL_PASSWORD_FILE', passwordFile);
      if (content) {
        password = content.toString('utf8').replace(/\r?\n$/, '');
        if (password.trim() === '') problems.push(`KAFKA_SASL_PASSWORD_FILE="${passwordFile}" is empty`);
      }
    }
    // Two branches only so TypeScript sees which of kafkajs's mechanism types each one is.
    if (mechanism === 'plain') sasl = { mechanism, username, password: password ?? '' };
    else sasl = { mechanism, username, password: password ?? '' };
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { ...(ssl && { ssl }), ...(sasl && { sasl }), warnings: kafkaConfigWarnings(config) };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Why a CA file's content cannot be trusted as given, or undefined when every certificate in it parses. */
function caProblem(ca: Buffer): string | undefined {
  const certificates = ca.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [index, pem] of certificates.entries()) {
    try {
      new X509Certificate(pem);
    } catch (error) {
      return `holds a certificate that does not parse (number ${index + 1}: ${(error as Error).message})`;
    }
  }
  return undefined;
}

/** The rest of a client's options: what differs between the publisher, tests and tools. */
export type KafkaClientOptions = Omit<KafkaClientConfig, 'brokers' | 'clientId' | 'ssl' | 'sasl'>;

/**
 * The options for `new Kafka(...)`: brokers, client id, TLS and SASL from the configuration, the rest from the
 * caller. Use this (not a hand-made `new Kafka({ brokers })`) for any client that talks to the configured cluster.
 */
export function kafkaClientConfig(
  config: Pick<KafkaConfig, 'brokers' | 'clientId' | 'tls' | 'sasl'>,
  options: KafkaClientOptions = {},
  security: KafkaClientSecurity = kafkaClientSecurity(config),
): KafkaClientConfig {
  return {
    ...options,
    clientId: config.clientId,
    brokers: [...config.brokers],
    ...(security.ssl && { ssl: security.ssl }),
    ...(security.sasl && { sasl: security.sasl }),
  };
}

/** "SASL_SSL (scram-sha-256 as user svc-scim)", for a start-up line; never the password. */
export function describeKafkaSecurity(config: Pick<KafkaConfig, 'tls' | 'sasl'>): string {
  const protocol = `${config.sasl ? 'SASL_' : ''}${config.tls ? 'SSL' : 'PLAINTEXT'}`;
  const details = [
    ...(config.sasl ? [`${config.sasl.mechanism} as user ${config.sasl.username}`] : []),
    ...(config.tls?.certFile ? ['client certificate'] : []),
    ...(config.tls?.caFile ? ['own CA file'] : []),
    ...(config.tls && !config.tls.rejectUnauthorized ? ['certificates NOT verified'] : []),
  ];
  return details.length > 0 ? `${protocol} (${details.join(', ')})` : protocol;
}
