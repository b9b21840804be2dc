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
      metricsEnabled: true,
      metricsTenantLabel: false,
    });
  });

  it('logs JSON unless stdout is a terminal, and LOG_FORMAT overrides either default', () => {
    expect(loadGatewayConfig({}).logFormat).toBe('json');
    expect(loadGatewayConfig({}, { stdoutIsTerminal: false }).logFormat).toBe('json');
    expect(loadGatewayConfig({}, { stdoutIsTerminal: true }).logFormat).toBe('text');
    expect(loadGatewayConfig({ LOG_FORMAT: 'json' }, { stdoutIsTerminal: true }).logFormat).toBe('json');
    expect(loadGatewayConfig({ LOG_FORMAT: ' Text ' }, { stdoutIsTerminal: false }).logFormat).toBe('text');
  });

  it('reads the metrics switches', () => {
    expect(loadGatewayConfig({ METRICS_ENABLED: 'false', METRICS_TENANT_LABEL: 'TRUE' })).toMatchObject({ metricsEnabled: false, metricsTenantLabel: true });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT="eighty"'],
    [{ PORT: '70000' }, 'PORT="70000"'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SCIM_BEARER_TOKEN: 'short' }, 'SCIM_BEARER_TOKEN'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud"'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT="xml" must be json or text'],
    [{ PUBLIC_BASE_URL: 'ftp://x' }, 'PUBLIC_BASE_URL'],
    [{ SCIM_UNKNOWN_ATTRIBUTES: 'maybe' }, 'SCIM_UNKNOWN_ATTRIBUTES'],
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE="mongo"'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_URL is required'],
    [{ EVENTSTORE_URL: 'http://x' }, 'EVENTSTORE_URL must start'],
    [{ PROJECTIONS: 'elsewhere' }, 'PROJECTIONS="elsewhere"'],
    [{ PROJECTIONS: 'external' }, 'PROJECTIONS=external needs DATABASE_URL'],
    [{ METRICS_ENABLED: 'yes' }, 'METRICS_ENABLED="yes" must be true or false'],
    [{ METRICS_TENANT_LABEL: '1' }, 'METRICS_TENANT_LABEL="1" must be true or false'],
  ])('rejects %j naming the variable', (env, named) => {
    expect(() => loadGatewayConfig(env)).toThrow(ConfigError);
    expect(() => loadGatewayConfig(env)).toThrow(named);
  });

  it('reads the request limits (docs/operations.md "Limits"), defaulting to the documented values', () => {
    expect(loadGatewayConfig({}).requestLimits).toEqual({
      filter: { maxLength: 4096, maxComparisons: 50, maxDepth: 16, maxAttributePaths: 20 },
      attributeList: { maxEntries: 100, maxLength: 4096 },
      patchOperations: 1000,
      json: { maxDepth: 32, maxStringLength: 16384 },
    });
    const configured = loadGatewayConfig({
      FILTER_MAX_LENGTH: '8192',
      FILTER_MAX_COMPARISONS: '3',
      FILTER_MAX_DEPTH: '2',
      FILTER_MAX_ATTRIBUTE_PATHS: '4',
      ATTRIBUTES_MAX_ENTRIES: '5',
      ATTRIBUTES_MAX_LENGTH: '60',
      PATCH_MAX_OPERATIONS: '7',
      JSON_MAX_DEPTH: '8',
      JSON_MAX_STRING_LENGTH: '2048',
    }).requestLimits;
    expect(configured).toEqual({
      filter: { maxLength: 8192, maxComparisons: 3, maxDepth: 2, maxAttributePaths: 4 },
      attributeList: { maxEntries: 5, maxLength: 60 },
      patchOperations: 7,
      json: { maxDepth: 8, maxStringLength: 2048 },
    });
  });

  it.each([
    [{ FILTER_MAX_DEPTH: '65' }, 'FILTER_MAX_DEPTH="65" must be an integer from 1 to 64'],
    [{ FILTER_MAX_COMPARISONS: '0' }, 'FILTER_MAX_COMPARISONS="0"'],
    [{ JSON_MAX_DEPTH: '1000' }, 'JSON_MAX_DEPTH="1000" must be an integer from 4 to 256'],
    [{ PATCH_MAX_OPERATIONS: 'many' }, 'PATCH_MAX_OPERATIONS="many"'],
  ])('refuses a limit beyond its ceiling: %j', (env, named) => {
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
