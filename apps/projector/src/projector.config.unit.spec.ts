import { ConfigError } from '#config/gateway.config.js';
import { loadProjectorConfig } from './projector.config.js';

const DATABASE_URL = 'postgres://scim@postgres:5432/scim';

describe('loadProjectorConfig', () => {
  it('needs a PostgreSQL server: the projector is for the distributed topology', () => {
    expect(() => loadProjectorConfig({})).toThrow(/DATABASE_URL is required/);
  });

  it('runs without Kafka when KAFKA_BROKERS is unset, with the documented defaults', () => {
    expect(loadProjectorConfig({ DATABASE_URL })).toMatchObject({
      databaseUrl: DATABASE_URL,
      eventStore: 'postgres',
      port: 3001,
      lockRetryMs: 2000,
      kafka: null,
    });
  });

  it('logs in the format the gateway would: LOG_FORMAT, else JSON unless stdout is a terminal', () => {
    expect(loadProjectorConfig({ DATABASE_URL }).logFormat).toBe('json');
    expect(loadProjectorConfig({ DATABASE_URL }, { stdoutIsTerminal: true }).logFormat).toBe('text');
    expect(loadProjectorConfig({ DATABASE_URL, LOG_FORMAT: 'json' }, { stdoutIsTerminal: true }).logFormat).toBe('json');
    expect(() => loadProjectorConfig({ DATABASE_URL, LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT="yaml"/);
  });

  it('reads the Kafka settings and EventStoreDB like the gateway', () => {
    const config = loadProjectorConfig({
      DATABASE_URL,
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_URL: 'esdb://eventstoredb:2113?tls=false',
      KAFKA_BROKERS: 'kafka:9092',
      PROJECTOR_PORT: '0',
    });
    expect(config).toMatchObject({ eventStore: 'eventstoredb', port: 0, kafka: { brokers: ['kafka:9092'], topicPrefix: 'scim' } });
  });

  it('reports every bad variable at once, naming each', () => {
    try {
      loadProjectorConfig({ DATABASE_URL, KAFKA_PARTITIONS: 'x', PROJECTOR_LOCK_RETRY_MS: '5', PORT: 'y' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/KAFKA_PARTITIONS/);
      expect(problems).toMatch(/PROJECTOR_LOCK_RETRY_MS/);
      expect(problems).toMatch(/PORT="y"/);
    }
  });
});
