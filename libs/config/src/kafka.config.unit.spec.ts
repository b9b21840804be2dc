import { ConfigError } from './gateway.config.js';
import { KAFKA_CONFIG_VARIABLES, kafkaConfigWarnings, loadKafkaConfig } from './kafka.config.js';

describe('loadKafkaConfig', () => {
  it('is off (null) when KAFKA_BROKERS is unset or blank', () => {
    expect(loadKafkaConfig({})).toBeNull();
    expect(loadKafkaConfig({ KAFKA_BROKERS: '  ' })).toBeNull();
  });

  it('uses the documented defaults next to KAFKA_BROKERS', () => {
    expect(loadKafkaConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toEqual({
      brokers: ['127.0.0.1:9092'],
      topicPrefix: 'scim',
      partitions: 3,
      replicationFactor: 1,
      clientId: 'scim-gateway',
    });
  });

  it('reads every variable', () => {
    expect(
      loadKafkaConfig({
        KAFKA_BROKERS: 'kafka-1:9092, kafka_2:9093,[::1]:9094',
        KAFKA_TOPIC_PREFIX: 'acme.scim',
        KAFKA_PARTITIONS: '12',
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_CLIENT_ID: 'gateway-eu',
      }),
    ).toEqual({
      brokers: ['kafka-1:9092', 'kafka_2:9093', '[::1]:9094'],
      topicPrefix: 'acme.scim',
      partitions: 12,
      replicationFactor: 3,
      clientId: 'gateway-eu',
    });
  });

  it.each([
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'a:9092,,b:9092' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'a:70000' }, 'KAFKA_BROKERS'],
    [{ KAFKA_TOPIC_PREFIX: 'scim/users' }, 'KAFKA_TOPIC_PREFIX'],
    [{ KAFKA_PARTITIONS: '0' }, 'KAFKA_PARTITIONS="0"'],
    [{ KAFKA_PARTITIONS: 'many' }, 'KAFKA_PARTITIONS="many"'],
    [{ KAFKA_REPLICATION_FACTOR: '1.5' }, 'KAFKA_REPLICATION_FACTOR="1.5"'],
    [{ KAFKA_CLIENT_ID: 'a b' }, 'KAFKA_CLIENT_ID'],
  ])('rejects %j naming the variable, even with Kafka off', (env, named) => {
    expect(() => loadKafkaConfig(env)).toThrow(ConfigError);
    expect(() => loadKafkaConfig(env)).toThrow(named);
  });

  it('documents every variable it reads', () => {
    expect(Object.keys(KAFKA_CONFIG_VARIABLES).sort()).toEqual([
      'KAFKA_BROKERS',
      'KAFKA_CLIENT_ID',
      'KAFKA_PARTITIONS',
      'KAFKA_REPLICATION_FACTOR',
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SASL_PASSWORD_FILE',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SSL',
      'KAFKA_SSL_CA_FILE',
      'KAFKA_SSL_CERT_FILE',
      'KAFKA_SSL_KEY_FILE',
      'KAFKA_SSL_REJECT_UNAUTHORIZED',
      'KAFKA_TOPIC_PREFIX',
    ]);
  });
});

describe('loadKafkaConfig: TLS and SASL', () => {
  const BROKERS = { KAFKA_BROKERS: 'kafka.example.com:9093' };
  const SECRET = 'pa55 w0rd-never-logged';

  it('has neither TLS nor SASL by default (plaintext, no authentication)', () => {
    const config = loadKafkaConfig(BROKERS)!;
    expect(config.tls).toBeUndefined();
    expect(config.sasl).toBeUndefined();
    expect(kafkaConfigWarnings(config)).toEqual([]);
  });

  it('turns TLS on with KAFKA_SSL=true, verifying certificates with the default store', () => {
    expect(loadKafkaConfig({ ...BROKERS, KAFKA_SSL: 'true' })!.tls).toEqual({ rejectUnauthorized: true });
    expect(loadKafkaConfig({ ...BROKERS, KAFKA_SSL: 'TRUE' })!.tls).toEqual({ rejectUnauthorized: true });
    expect(loadKafkaConfig({ ...BROKERS, KAFKA_SSL: 'false' })!.tls).toBeUndefined();
  });

  it('keeps the TLS files as paths (the client builder reads them)', () => {
    expect(
      loadKafkaConfig({
        ...BROKERS,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: ' /etc/kafka/ca.pem ',
        KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem',
        KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key',
        KAFKA_SSL_REJECT_UNAUTHORIZED: 'true',
      })!.tls,
    ).toEqual({ caFile: '/etc/kafka/ca.pem', certFile: '/etc/kafka/client.pem', keyFile: '/etc/kafka/client.key', rejectUnauthorized: true });
  });

  it.each([
    ['plain', 'plain'],
    ['PLAIN', 'plain'],
    ['scram-sha-256', 'scram-sha-256'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ])('reads KAFKA_SASL_MECHANISM=%s with a user and a password', (mechanism, expected) => {
    expect(
      loadKafkaConfig({ ...BROKERS, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'svc-scim', KAFKA_SASL_PASSWORD: SECRET })!.sasl,
    ).toEqual({ mechanism: expected, username: 'svc-scim', password: SECRET });
  });

  it('takes the password exactly as given (spaces included), or the path of a file holding it', () => {
    const sasl = { ...BROKERS, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc' };
    expect(loadKafkaConfig({ ...sasl, KAFKA_SASL_PASSWORD: ' spaced ' })!.sasl!.password).toBe(' spaced ');
    expect(loadKafkaConfig({ ...sasl, KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka' })!.sasl).toEqual({
      mechanism: 'scram-sha-256',
      username: 'svc',
      passwordFile: '/run/secrets/kafka',
    });
  });

  it.each([
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL="yes" must be true or false'],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: '0' }, 'KAFKA_SSL_REJECT_UNAUTHORIZED="0" must be true or false'],
    [{ KAFKA_SSL_CA_FILE: '/ca.pem' }, 'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true'],
    [{ KAFKA_SSL: 'false', KAFKA_SSL_CERT_FILE: '/c.pem', KAFKA_SSL_KEY_FILE: '/k.pem' }, 'KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE are set but KAFKA_SSL is not true'],
    [{ KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }, 'KAFKA_SSL_REJECT_UNAUTHORIZED is set but KAFKA_SSL is not true'],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/c.pem' }, 'KAFKA_SSL_CERT_FILE is set without KAFKA_SSL_KEY_FILE'],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: '/k.pem' }, 'KAFKA_SSL_KEY_FILE is set without KAFKA_SSL_CERT_FILE'],
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET }, 'KAFKA_SASL_MECHANISM="gssapi" must be one of plain, scram-sha-256, scram-sha-512'],
    [{ KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET }, 'KAFKA_SASL_MECHANISM="oauthbearer"'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: SECRET }, 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=plain'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM=scram-sha-256'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: '   ' }, 'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET, KAFKA_SASL_PASSWORD_FILE: '/p' }, 'KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set'],
    [{ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET }, 'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD are set but KAFKA_SASL_MECHANISM is not'],
    [{ KAFKA_SASL_PASSWORD_FILE: '/p' }, 'KAFKA_SASL_PASSWORD_FILE is set but KAFKA_SASL_MECHANISM is not'],
  ])('rejects %j with a problem naming the variables, with or without brokers, never showing the password', (env, problem) => {
    for (const withBrokers of [{}, BROKERS]) {
      let error: unknown;
      try {
        loadKafkaConfig({ ...withBrokers, ...env });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toContain(problem);
      expect((error as ConfigError).message).not.toContain(SECRET);
    }
  });

  it('warns (and allows) SASL PLAIN without TLS: the password would cross the network in clear text', () => {
    const config = loadKafkaConfig({ ...BROKERS, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET })!;
    expect(config.sasl).toEqual({ mechanism: 'plain', username: 'u', password: SECRET });
    const warnings = kafkaConfigWarnings(config);
    expect(warnings).toEqual([expect.stringContaining('KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true')]);
    expect(warnings.join()).not.toContain(SECRET);
  });

  it('does not warn about SCRAM without TLS (no password on the wire) nor PLAIN over TLS', () => {
    const sasl = { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET };
    expect(kafkaConfigWarnings(loadKafkaConfig({ ...BROKERS, ...sasl, KAFKA_SASL_MECHANISM: 'scram-sha-512' })!)).toEqual([]);
    expect(kafkaConfigWarnings(loadKafkaConfig({ ...BROKERS, ...sasl, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain' })!)).toEqual([]);
  });

  it('warns (and allows) KAFKA_SSL_REJECT_UNAUTHORIZED=false, for testing only', () => {
    const config = loadKafkaConfig({ ...BROKERS, KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' })!;
    expect(config.tls).toEqual({ rejectUnauthorized: false });
    expect(kafkaConfigWarnings(config)).toEqual([expect.stringMatching(/^KAFKA_SSL_REJECT_UNAUTHORIZED=false: .*for testing only$/)]);
  });
});
