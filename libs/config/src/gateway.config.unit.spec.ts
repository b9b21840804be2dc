import { ConfigError, loadGatewayConfig } from './gateway.config.js';

describe('loadGatewayConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      port: 3000,
      dataDir: './data',
      databaseUrl: undefined,
      scimBearerToken: undefined,
      logLevel: 'log',
      publicBaseUrl: 'http://localhost:3000',
      readYourWritesTimeoutMs: 5000,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT="eighty"'],
    [{ PORT: '70000' }, 'PORT="70000"'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SCIM_BEARER_TOKEN: 'short' }, 'SCIM_BEARER_TOKEN'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud"'],
    [{ PUBLIC_BASE_URL: 'ftp://x' }, 'PUBLIC_BASE_URL'],
    [{ SCIM_UNKNOWN_ATTRIBUTES: 'maybe' }, 'SCIM_UNKNOWN_ATTRIBUTES'],
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE="mongo"'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_URL is required'],
    [{ EVENTSTORE_URL: 'http://x' }, 'EVENTSTORE_URL must start'],
    [{ PROJECTIONS: 'elsewhere' }, 'PROJECTIONS="elsewhere"'],
    [{ PROJECTIONS: 'external' }, 'PROJECTIONS=external needs DATABASE_URL'],
  ])('rejects %j naming the variable', (env, named) => {
    expect(() => loadGatewayConfig(env)).toThrow(ConfigError);
    expect(() => loadGatewayConfig(env)).toThrow(named);
  });

  it('reports every bad variable at once', () => {
    try {
      loadGatewayConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('trims a trailing slash from PUBLIC_BASE_URL', () => {
    expect(loadGatewayConfig({ PUBLIC_BASE_URL: 'https://scim.example.com/' }).publicBaseUrl).toBe('https://scim.example.com');
  });
});
