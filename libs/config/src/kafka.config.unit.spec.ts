import { ConfigError } from './gateway.config.js';
import { KAFKA_CONFIG_VARIABLES, loadKafkaConfig } from './kafka.config.js';

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
    expect(Object.keys(KAFKA_CONFIG_VARIABLES).sort()).toEqual(
      ['KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'KAFKA_PARTITIONS', 'KAFKA_REPLICATION_FACTOR', 'KAFKA_TOPIC_PREFIX'],
    );
  });
});
