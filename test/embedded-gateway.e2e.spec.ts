import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGatewayProcess, stopGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { entraUser } from './support/test-gateway.js';

/**
 * The user's first hour with the built gateway as a real process on the embedded store (issue 2, "Done when").
 * Needs `npm run build` first (npm test does it).
 */
describe('the embedded gateway as a process', () => {
  let dataDir: string;
  const running: GatewayProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scim-gateway-e2e-'));
  });
  afterAll(async () => {
    for (const gateway of running) await stopGatewayProcess(gateway, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const gateway = await startGatewayProcess({ DATA_DIR: dataDir });
    running.push(gateway);
    return gateway;
  };
  const call = (gateway: GatewayProcess, token: string, method: string, url: string, body?: unknown) =>
    fetch(`${gateway.baseUrl}${url}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  let token = '';
  let gateway: GatewayProcess;

  // Its stdout is a pipe, not a terminal: the generated token goes to a file only this user reads, never to the log
  // (docs/observability.md "Logs"; on a terminal it is printed, README "The two commands").
  it('logs the SCIM base URL and writes a new token to DATA_DIR on first start, and answers an empty filter', async () => {
    gateway = await start();
    expect(gateway.output()).toContain(`SCIM base URL (Entra \\"Tenant URL\\"): http://localhost:`);
    // The process runs on the binary that runs the tests (process.execPath: the pinned Node under npm test), says so
    // in its banner and in /health, and does not warn about an older runtime.
    expect(gateway.output()).toContain(`runtime: Node.js ${process.versions.node} (pinned `);
    expect(gateway.output()).not.toContain('older than the pinned');
    expect(await (await fetch(`${gateway.baseUrl}/health`)).json()).toEqual({ status: 'ok', node: process.versions.node });
    const tokenFile = path.join(dataDir, 'scim-bearer-token');
    expect(gateway.output()).toContain(`is in ${tokenFile}`);
    token = (await readFile(tokenFile, 'utf8')).trim();
    expect(token).toMatch(/^scim_[A-Za-z0-9_-]{20,}$/);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect(gateway.output()).not.toContain(token);
    const response = await call(gateway, token, 'GET', '/scim/v2/Users?filter=' + encodeURIComponent('userName eq "AzureAD_Test-1"'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ totalResults: 0, Resources: [] });
  }, 90_000);

  it('refuses a second gateway on the same DATA_DIR, saying why', async () => {
    const second = await startGatewayProcess({ DATA_DIR: dataDir });
    running.push(second);
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(second.output()).toMatch(/DATA_DIR|lock/i);
    expect(second.output()).toContain(String(gateway.child.pid));
    // The first one is unaffected.
    expect((await fetch(`${gateway.baseUrl}/health`)).status).toBe(200);
  }, 90_000);

  it('keeps users across a restart and prints no new token', async () => {
    const created = await call(gateway, token, 'POST', '/scim/v2/Users', entraUser('persist@contoso.com'));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const found = await call(gateway, token, 'GET', '/scim/v2/Users?filter=' + encodeURIComponent('userName eq "persist@contoso.com"'));
    expect(await found.json()).toMatchObject({ totalResults: 1, Resources: [{ id }] });

    expect(await stopGatewayProcess(gateway)).toBe(0);
    gateway = await start();
    expect(gateway.output()).not.toMatch(/scim_[A-Za-z0-9_-]{20,}|scim-bearer-token/);
    const again = await call(gateway, token, 'GET', `/scim/v2/Users/${id}`);
    expect(again.status).toBe(200);
  }, 90_000);

  it('after kill -9 during a burst of writes, every write answered 201 is readable', async () => {
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const response = await call(gateway, token, 'POST', '/scim/v2/Users', entraUser(`burst-${worker}-${i}@contoso.com`));
          if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
        } catch {
          return; // the process is gone
        }
      }
    };
    const writers = Array.from({ length: 6 }, (_, worker) => writer(worker));
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    gateway.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await gateway.exited;

    gateway = await start();
    const missing: string[] = [];
    for (const id of acknowledged) {
      const response = await call(gateway, token, 'GET', `/scim/v2/Users/${id}`);
      if (response.status !== 200) missing.push(`${id}: ${response.status}`);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    expect(missing).toEqual([]);
    expect(await stopGatewayProcess(gateway)).toBe(0);
  }, 120_000);
});
