import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadKafkaConfig } from '#config/kafka.config.js';
import type { KafkaLogger } from './kafka.logger.js';
import type { ScimCloudEvent, ScimKafkaRecord } from './scim-cloud-event.js';
import { KafkaPublishError, ScimEventPublisher } from './scim-event.publisher.js';
import {
  mutualTlsListenerForTests,
  quietLogger,
  saslSslListenerForTests,
  TopicCollector,
  uniqueTopicPrefix,
} from './kafka.test-support.js';
import { TEST_CERT } from './tls-fixtures.test-support.js';

/**
 * The TLS and SASL settings against the real broker's secured listeners (scripts/kafka/start-kafka.sh): the
 * configuration is read from variables as an operator sets them (loadKafkaConfig), and the product's own publisher
 * and client builder (kafkaClientConfig, through TopicCollector) publish and consume. Failures must fail, and
 * fail soon: the publishers retry once (kafkajs `retry`), so no test relies on a timer.
 */
const saslSsl = saslSslListenerForTests('Kafka over SASL_SSL (PLAIN, SCRAM)');
const mutualTls = mutualTlsListenerForTests('Kafka over mutual TLS');

type Env = Record<string, string>;

function records(count: number): ScimKafkaRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const id = randomUUID();
    const event: ScimCloudEvent = {
      specversion: '1.0',
      id: randomUUID(),
      source: '/tenants/secured',
      type: 'scim.user.created',
      subject: id,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      tenantid: 'secured',
      partitionkey: `secured:${id}`,
      data: { resource: null, change: null, revision: 0, position: `${index + 1}:${index + 1}` },
    };
    return { topicKind: 'users', key: event.partitionkey, event };
  });
}

/** Publishes with the product's publisher, then reads the records back with a consumer built the same way. */
async function publishesAndConsumes(securityEnv: Env): Promise<void> {
  const topicPrefix = uniqueTopicPrefix('secured');
  const config = loadKafkaConfig({ KAFKA_TOPIC_PREFIX: topicPrefix, KAFKA_PARTITIONS: '2', KAFKA_CLIENT_ID: 'secured-int', ...securityEnv })!;
  const sent = records(5);
  const publisher = new ScimEventPublisher(config, quietLogger, { sendThread: 'inline', retries: 2, requestTimeoutMs: 10_000 });
  try {
    await publisher.publish(sent);
  } finally {
    await publisher.close();
  }
  const collector = await TopicCollector.start(config, topicPrefix, 2);
  try {
    await collector.waitFor((received) => received.length >= sent.length, 30_000, `${sent.length} records`);
    expect(collector.distinctEventIds()).toEqual(new Set(sent.map((record) => record.event.id)));
    expect(collector.records.every((record) => record.topic === `${topicPrefix}.users`)).toBe(true);
  } finally {
    await collector.stop();
  }
}

/** The message of the publish that must fail; it must not be a hang (one retry, 3 s connection timeout). */
async function publishFailure(securityEnv: Env, logger: KafkaLogger = quietLogger): Promise<string> {
  const config = loadKafkaConfig({ KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('secured-fail'), KAFKA_CLIENT_ID: 'secured-int', ...securityEnv })!;
  const publisher = new ScimEventPublisher(config, logger, { sendThread: 'inline', retries: 1, requestTimeoutMs: 5_000 });
  try {
    await publisher.publish(records(1));
  } catch (error) {
    expect(error).toBeInstanceOf(KafkaPublishError);
    return (error as Error).message;
  } finally {
    await publisher.close();
  }
  throw new Error('the publish succeeded');
}

(saslSsl ? describe : describe.skip)('Kafka over SASL_SSL (real broker)', () => {
  const listener = saslSsl!;
  const tls = (): Env => ({ KAFKA_BROKERS: listener.brokers.join(','), KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: listener.caFile });
  const plain = (password = listener.plain.password): Env => ({
    ...tls(),
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: listener.plain.username,
    KAFKA_SASL_PASSWORD: password,
  });
  const scram = (mechanism: string, password = listener.scram.password): Env => ({
    ...tls(),
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: listener.scram.username,
    KAFKA_SASL_PASSWORD: password,
  });
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kafka-secured-int-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes and consumes with SASL PLAIN over TLS, trusting the broker through KAFKA_SSL_CA_FILE', async () => {
    await publishesAndConsumes(plain());
  }, 60_000);

  it('publishes and consumes with SCRAM-SHA-256, the password read from KAFKA_SASL_PASSWORD_FILE', async () => {
    const passwordFile = path.join(dir, 'scram-password');
    writeFileSync(passwordFile, `${listener.scram.password}\n`, { mode: 0o600 });
    const { KAFKA_SASL_PASSWORD: _password, ...env } = scram('scram-sha-256');
    await publishesAndConsumes({ ...env, KAFKA_SASL_PASSWORD_FILE: passwordFile });
  }, 60_000);

  it('publishes and consumes with SCRAM-SHA-512', async () => {
    await publishesAndConsumes(scram('SCRAM-SHA-512'));
  }, 60_000);

  it.each([
    ['PLAIN', () => plain('wrong-password'), /SASL PLAIN authentication failed: .*Invalid username or password/],
    ['SCRAM-SHA-256', () => scram('scram-sha-256', 'wrong-password'), /SASL SCRAM SHA256 authentication failed: .*invalid credentials/],
  ])('fails with a clear error on a wrong %s password, naming the user but never a password', async (_mechanism, env, expected) => {
    const message = await publishFailure(env());
    expect(message).toMatch(expected);
    expect(message).toMatch(/\(127\.0\.0\.1:\d+, SASL_SSL \((plain|scram-sha-256) as user scim_(plain|scram), own CA file\)\)/);
    for (const password of ['wrong-password', listener.plain.password, listener.scram.password]) expect(message).not.toContain(password);
  }, 60_000);

  it('fails with a clear error when the broker certificate is not trusted: Node default store (no KAFKA_SSL_CA_FILE)', async () => {
    const { KAFKA_SSL_CA_FILE: _ca, ...env } = plain();
    expect(await publishFailure(env)).toMatch(/failed: .*self[- ]signed certificate/);
  }, 60_000);

  it('fails with a clear error when the broker certificate is not trusted: a CA file of another CA', async () => {
    const otherCa = path.join(dir, 'other-ca.pem');
    writeFileSync(otherCa, TEST_CERT);
    expect(await publishFailure({ ...plain(), KAFKA_SSL_CA_FILE: otherCa })).toMatch(/failed: .*self[- ]signed certificate/);
  }, 60_000);

  it('connects without checking the certificate only with KAFKA_SSL_REJECT_UNAUTHORIZED=false, and warns', async () => {
    const warnings: string[] = [];
    const logger: KafkaLogger = { ...quietLogger, warn: (line) => warnings.push(line) };
    const { KAFKA_SSL_CA_FILE: _ca, ...env } = plain();
    const config = loadKafkaConfig({ ...env, KAFKA_SSL_REJECT_UNAUTHORIZED: 'false', KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('secured-insecure') })!;
    const publisher = new ScimEventPublisher(config, logger, { sendThread: 'inline', retries: 1, requestTimeoutMs: 10_000 });
    try {
      await publisher.publish(records(1));
    } finally {
      await publisher.close();
    }
    // Ours, once; besides it only kafkajs's own lines may appear (a new topic's first ListOffsets can meet
    // "not the leader" while the broker elects one, which the topic set-up waits out).
    expect(warnings.filter((line) => !line.startsWith('kafkajs '))).toEqual([expect.stringContaining('KAFKA_SSL_REJECT_UNAUTHORIZED=false')]);
  }, 60_000);
});

(mutualTls ? describe : describe.skip)('Kafka over mutual TLS (real broker)', () => {
  const listener = mutualTls!;
  const tls = (): Env => ({ KAFKA_BROKERS: listener.brokers.join(','), KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: listener.caFile });

  it('publishes and consumes with the client certificate of KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE', async () => {
    await publishesAndConsumes({ ...tls(), KAFKA_SSL_CERT_FILE: listener.certFile, KAFKA_SSL_KEY_FILE: listener.keyFile });
  }, 60_000);

  it('fails with a clear error without a client certificate', async () => {
    expect(await publishFailure(tls())).toMatch(/failed: .*(certificate required|bad certificate|handshake failure)/i);
  }, 60_000);
});
