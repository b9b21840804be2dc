import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssBreakdownMb, statusMb } from './proc.js';

/** dist/ (this file is dist/bench/lib/gateway-process.js). */
export const DIST_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GATEWAY_MAIN = path.join(DIST_ROOT, 'apps/gateway/src/main.js');
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

/**
 * Gateway settings changed for a diagnostic run (never for the reported figures), and the settings an A/B
 * comparison varies (bench/observability-ab.ts: METRICS_ENABLED and the OTEL_* variables).
 */
export function gatewayDiagnosticsEnv(options: { readonly readYourWritesTimeoutMs: number | null; readonly gatewayEnv?: Readonly<Record<string, string>> }): Record<string, string> {
  const env: Record<string, string> = { ...(options.gatewayEnv ?? {}) };
  if (options.readYourWritesTimeoutMs === null) return env;
  // A short timeout logs a warning per write; keep the log (and its cost) out of the way.
  return { ...env, READ_YOUR_WRITES_TIMEOUT_MS: String(options.readYourWritesTimeoutMs), LOG_LEVEL: 'error' };
}

export interface GatewayStartOptions {
  readonly label: string;
  /** DATA_DIR or DATABASE_URL. */
  readonly storageEnv: Readonly<Record<string, string>>;
  /** Write a V8 CPU profile of the gateway into this directory (node --cpu-prof). */
  readonly cpuProfileDir?: string;
  readonly readyTimeoutMs?: number;
  /** More environment for the gateway (diagnostics such as READ_YOUR_WRITES_TIMEOUT_MS). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

export interface GatewayStopResult {
  /** Peak resident set size of the process's whole life (VmHWM), MB. */
  readonly peakRssMb: number | null;
  /** Largest VmRSS seen by the 200 ms sampler over the process's life, MB. */
  readonly sampledMaxRssMb: number;
  /** Largest VmRSS seen since the last startWindow() (the measured part, without start-up), MB. */
  readonly windowMaxRssMb: number;
  /** VmRSS split (anonymous / file-backed / shared) at the largest sample, MB. */
  readonly rssAtMax: { anon: number; file: number; shmem: number } | null;
  readonly exitCode: number | null;
  readonly cpuProfile: string | null;
  /** performance.now() when stop() was called and when the process had exited. */
  readonly stopRequestedAt: number;
  readonly exitedAt: number;
}

const running = new Set<ChildProcess>();

/** For an interrupted run: no gateway outlives the benchmark. */
export function killAllGateways(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * The built gateway as a separate process (`node dist/apps/gateway/src/main.js`) on a free loopback port, with
 * its RSS sampled every 200 ms. start() resolves once GET /ready answers 200 (projections caught up).
 */
export class GatewayProcess {
  private readonly output: string[] = [];
  private sampledMaxRssMb = 0;
  private windowMaxRssMb = 0;
  private rssAtMax: { anon: number; file: number; shmem: number } | null = null;
  private readonly sampler: NodeJS.Timeout;
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  /** From spawn to the first 200 of GET /health (listening), and to the first 200 of GET /ready. */
  listeningMs = 0;
  readyMs = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly label: string,
    private readonly cpuProfileDir: string | undefined,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    running.add(child);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => running.delete(child));
    void this.exited.then((code) => {
      this.exitCode = code;
    });
    this.sampler = setInterval(() => this.sample(), 200);
    this.sampler.unref();
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: GatewayStartOptions): Promise<GatewayProcess> {
    const port = await freePort();
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // Only what the gateway needs from here: no Kafka, no inherited storage or NODE_OPTIONS.
      if (value === undefined || /^(KAFKA_|EVENTSTORE|EVENT_STORE|DATABASE_|DATA_DIR|SCIM_|PORT$|HOST$|LOG_LEVEL$|NODE_OPTIONS$|PUBLIC_BASE_URL$|READ_YOUR_WRITES)/.test(key)) continue;
      env[key] = value;
    }
    Object.assign(env, options.storageEnv, { PORT: String(port), HOST: '127.0.0.1', SCIM_BEARER_TOKEN: BENCH_TOKEN, LOG_LEVEL: 'warn' }, options.extraEnv ?? {});
    const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, GATEWAY_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const gateway = new GatewayProcess(child, port, options.label, options.cpuProfileDir);
    try {
      await gateway.waitFor('/health', started, options.readyTimeoutMs ?? 600_000);
      gateway.listeningMs = performance.now() - started;
      await gateway.waitFor('/ready', started, options.readyTimeoutMs ?? 600_000);
      gateway.readyMs = performance.now() - started;
    } catch (error) {
      await gateway.stop().catch(() => undefined);
      throw error;
    }
    return gateway;
  }

  /** From now on, also track the largest RSS separately (the measured part of a scenario). */
  startWindow(): void {
    this.windowMaxRssMb = this.currentRssMb() ?? 0;
  }

  currentRssMb(): number | null {
    return statusMb(this.pid, 'VmRSS');
  }

  /** VmHWM now (the process's peak RSS so far). */
  peakRssMb(): number | null {
    return statusMb(this.pid, 'VmHWM');
  }

  /** SIGTERM (the gateway closes its pools and PGlite), SIGKILL after 30 s. Reads VmHWM first. */
  async stop(): Promise<GatewayStopResult> {
    const stopRequestedAt = performance.now();
    clearInterval(this.sampler);
    this.sample();
    const peakRssMb = this.peakRssMb();
    if (this.exitCode === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      await this.exited;
      clearTimeout(timer);
    }
    const exitedAt = performance.now();
    let cpuProfile: string | null = null;
    if (this.cpuProfileDir && fs.existsSync(this.cpuProfileDir)) {
      const profiles = fs
        .readdirSync(this.cpuProfileDir)
        .filter((name) => name.endsWith('.cpuprofile') && name.includes(`.${this.pid}.`))
        .map((name) => path.join(this.cpuProfileDir!, name));
      cpuProfile = profiles[0] ?? null;
    }
    return { peakRssMb, sampledMaxRssMb: this.sampledMaxRssMb, windowMaxRssMb: this.windowMaxRssMb, rssAtMax: this.rssAtMax, exitCode: this.exitCode ?? null, cpuProfile, stopRequestedAt, exitedAt };
  }

  logTail(lines = 30): string {
    return this.output.slice(-lines).join('\n');
  }

  private sample(): void {
    const rss = this.currentRssMb();
    if (rss !== null && rss > this.sampledMaxRssMb) {
      this.sampledMaxRssMb = rss;
      this.rssAtMax = rssBreakdownMb(this.pid);
    }
    if (rss !== null && rss > this.windowMaxRssMb) this.windowMaxRssMb = rss;
  }

  private async waitFor(pathname: string, started: number, timeoutMs: number): Promise<void> {
    for (;;) {
      if (this.exitCode !== undefined) {
        throw new Error(`gateway (${this.label}) exited with ${this.exitCode} before ${pathname} answered 200:\n${this.logTail()}`);
      }
      if (performance.now() - started > timeoutMs) {
        throw new Error(`gateway (${this.label}): ${pathname} did not answer 200 within ${timeoutMs} ms:\n${this.logTail()}`);
      }
      if ((await probe(this.port, pathname)) === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function probe(port: number, pathname: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathname, agent: false, timeout: 2000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
