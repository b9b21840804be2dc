import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startGatewayProcess, stopGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { entraUser } from './support/test-gateway.js';

/**
 * The built gateway as a process whose stdout is a pipe (so LOG_FORMAT defaults to json), run with known secrets
 * and sent requests that carry them: every stdout line must be a JSON log line, every request must have exactly
 * one line, and no secret may appear anywhere in what the process printed (docs/observability.md "Logs").
 * Needs `npm run build` first (npm test does it).
 */
const SECRETS = {
  scimToken: 'scim-secret-A1b2C3d4E5f6G7h8',
  adminToken: 'admin-secret-Z9y8X7w6V5u4T3s2',
  wrongToken: 'wrong-secret-Q1w2E3r4T5y6U7i8',
  userPassword: 'Pa55word-secret-M4n3B2v1',
  kafkaPassword: 'kafka-secret-L0k9J8h7G6f5',
  databasePassword: 'db-secret-P0o9I8u7Y6t5',
  // Not a secret, but personal data that only a query string carries here: query strings are never logged.
  filteredEmail: 'ann.private@contoso.com',
};

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/** Every stdout line, parsed; fails naming the first line that is not a JSON log line. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
      const wellFormed =
        typeof parsed.time === 'string' &&
        new Date(parsed.time).toISOString() === parsed.time &&
        LEVELS.has(parsed.level as string) &&
        typeof parsed.context === 'string' &&
        typeof parsed.msg === 'string';
      if (!wellFormed) throw new Error(`a JSON line without time, level, context and msg: ${line}`);
      return parsed;
    });
}

function expectNoSecret(output: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (output.includes(secret)) throw new Error(`${name} was logged:\n${output.split('\n').filter((line) => line.includes(secret)).join('\n')}`);
  }
  expect(output).not.toMatch(/authorization|bearer [A-Za-z0-9]/i);
}

/** The SASL broker of CI when there is one (a wrong password: the error path), else a port nobody listens on. */
async function kafkaEnv(): Promise<Record<string, string>> {
  const env = process.env;
  if (env.KAFKA_SASL_SSL_BROKERS && env.KAFKA_TEST_CA_FILE && env.KAFKA_TEST_PLAIN_USERNAME) {
    return {
      KAFKA_BROKERS: env.KAFKA_SASL_SSL_BROKERS,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: env.KAFKA_TEST_CA_FILE,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: env.KAFKA_TEST_PLAIN_USERNAME,
      KAFKA_SASL_PASSWORD: SECRETS.kafkaPassword,
    };
  }
  return {
    KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: 'scim',
    KAFKA_SASL_PASSWORD: SECRETS.kafkaPassword,
  };
}

describe('JSON logs of the gateway process', () => {
  let dataDir: string;
  const running: GatewayProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scim-gateway-logs-'));
  });
  afterAll(async () => {
    for (const gateway of running) await stopGatewayProcess(gateway, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes one JSON line per request with its route template, tenant and scimType, and never a secret', async () => {
    const gateway = await startGatewayProcess({
      DATA_DIR: dataDir,
      SCIM_BEARER_TOKEN: SECRETS.scimToken,
      ADMIN_TOKEN: SECRETS.adminToken,
      LOG_LEVEL: 'verbose',
      ...(await kafkaEnv()),
    });
    running.push(gateway);
    expect(gateway.child.exitCode).toBeNull();

    const send = async (requestId: string, method: string, url: string, token: string | null, body?: string) => {
      const response = await fetch(`${gateway.baseUrl}${url}`, {
        method,
        headers: {
          'X-Request-Id': requestId,
          'Content-Type': 'application/scim+json',
          ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    };
    const withPassword = JSON.stringify({ ...entraUser('logs@contoso.com'), password: SECRETS.userPassword });
    const filter = `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${SECRETS.filteredEmail}"`)}`;
    const statuses = {
      search: await send('req-search', 'GET', filter, SECRETS.scimToken),
      create: await send('req-create', 'POST', '/scim/v2/Users', SECRETS.scimToken, withPassword),
      duplicate: await send('req-duplicate', 'POST', '/scim/v2/Users', SECRETS.scimToken, withPassword),
      brokenJson: await send('req-broken-json', 'POST', '/scim/v2/Users', SECRETS.scimToken, `{"password":"${SECRETS.userPassword}",`),
      wrongToken: await send('req-wrong-token', 'GET', filter, SECRETS.wrongToken),
      admin: await send('req-admin', 'GET', '/admin/v1/tenants', SECRETS.adminToken),
      adminWrongToken: await send('req-admin-wrong', 'GET', '/admin/v1/tenants', SECRETS.wrongToken),
      dryRun: await send('req-dry-run', 'POST', '/scim/v2/dry-run/Users', SECRETS.scimToken, JSON.stringify(entraUser('dry@contoso.com'))),
      unknown: await send('req-unknown', 'GET', '/no/such/path?token=x', null),
      health: await send('req-health', 'GET', '/health', null),
    };
    expect(statuses).toEqual({
      search: 200,
      create: 201,
      duplicate: 409,
      brokenJson: 400,
      wrongToken: 401,
      admin: 200,
      adminWrongToken: 401,
      dryRun: 201,
      unknown: 404,
      health: 200,
    });
    // Let kafkajs fail against the broker (wrong password or nobody there) so its errors are in the output too.
    const deadline = Date.now() + 15_000;
    while (!/kafkajs|Kafka topics/.test(gateway.stdout()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stopGatewayProcess(gateway)).toBe(0);

    expectNoSecret(gateway.output());
    expect(gateway.output()).not.toContain(encodeURIComponent(SECRETS.filteredEmail));
    const lines = jsonLines(gateway.stdout());
    expect(gateway.output()).toBe(gateway.stdout()); // nothing on stderr either
    expect(lines.some((line) => String(line.msg).startsWith('kafkajs') || String(line.msg).includes('Kafka topics'))).toBe(true);

    const requestLines = lines.filter((line) => line.context === 'HTTP');
    const byId = (requestId: string) => requestLines.filter((line) => line.requestId === requestId);
    const sent = ['req-search', 'req-create', 'req-duplicate', 'req-broken-json', 'req-wrong-token', 'req-admin', 'req-admin-wrong', 'req-dry-run', 'req-unknown', 'req-health'];
    expect(sent.map((requestId) => [requestId, byId(requestId).length])).toEqual(sent.map((requestId) => [requestId, 1]));
    expect(byId('req-search')[0]).toMatchObject({ level: 'info', method: 'GET', route: '/scim/v2/Users', status: 200, tenant: 'default', scimType: null, dryRun: false });
    expect(typeof byId('req-search')[0].tokenId).toBe('string');
    expect(typeof byId('req-search')[0].durationMs).toBe('number');
    expect(byId('req-duplicate')[0]).toMatchObject({ route: '/scim/v2/Users', status: 409, scimType: 'uniqueness' });
    expect(byId('req-broken-json')[0]).toMatchObject({ status: 400, scimType: 'invalidSyntax', path: '/scim/v2/Users' });
    expect(byId('req-wrong-token')[0]).toMatchObject({ status: 401, tenant: null, tokenId: null });
    expect(byId('req-admin')[0]).toMatchObject({ route: '/admin/v1/tenants', status: 200, tokenId: expect.stringMatching(/^admin:/) });
    expect(byId('req-dry-run')[0]).toMatchObject({ route: '/scim/v2/Users', status: 201, dryRun: true });
    expect(byId('req-unknown')[0]).toMatchObject({ route: null, path: '/no/such/path', status: 404 });
    expect(byId('req-health')[0]).toMatchObject({ level: 'debug', route: '/health' });
    // Every request line belongs to a request: the start-up polls of /health have ids of their own.
    expect(requestLines.every((line) => typeof line.requestId === 'string')).toBe(true);
  }, 120_000);

  it('keeps the password of DATABASE_URL out of a failed start', async () => {
    const unreachable = `postgres://scim:${SECRETS.databasePassword}@127.0.0.1:${await freePort()}/scim`;
    const gateway = await startGatewayProcess({ DATABASE_URL: unreachable, SCIM_BEARER_TOKEN: SECRETS.scimToken, ADMIN_TOKEN: SECRETS.adminToken });
    running.push(gateway);
    expect(await gateway.exited).not.toBe(0);
    expectNoSecret(gateway.output());
    expect(jsonLines(gateway.stdout())).toContainEqual(expect.objectContaining({ level: 'fatal', msg: expect.stringContaining('The gateway did not start') }));
  }, 90_000);

  it('logs a configuration error as a JSON line too', async () => {
    const gateway = await startGatewayProcess({ LOG_LEVEL: 'loud', ADMIN_TOKEN: SECRETS.adminToken });
    running.push(gateway);
    expect(await gateway.exited).toBe(2);
    expect(jsonLines(gateway.stdout())).toEqual([expect.objectContaining({ level: 'fatal', context: 'Gateway', msg: expect.stringContaining('LOG_LEVEL="loud"') })]);
  }, 30_000);
});
