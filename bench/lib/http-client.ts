import http from 'node:http';
import type { LatencyRecorder } from './stats.js';

export interface ScimResponse {
  readonly status: number;
  /** Parsed JSON, or null for an empty body. */
  readonly body: unknown;
  readonly ms: number;
}

export class UnexpectedStatusError extends Error {}

/**
 * The load generator's HTTP client: keep-alive connections to 127.0.0.1 only (at most `concurrency` sockets),
 * the bearer token on every request. The time measured runs from the request being issued to the last byte of
 * the response; parsing the JSON afterwards is not counted.
 */
export class ScimClient {
  private readonly agent: http.Agent;

  /**
   * `scheduling: 'fifo'` spreads requests round-robin over the sockets, for an open-loop load with many sockets:
   * with the default ('lifo', the most recently used socket first) the least used ones idle past the gateway's
   * keep-alive timeout of 5 s, and a request sent just as the gateway closes one fails with ECONNRESET.
   */
  constructor(
    private readonly port: number,
    private readonly token: string,
    concurrency: number,
    options: { readonly scheduling?: 'fifo' | 'lifo' } = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, scheduling: options.scheduling ?? 'lifo' });
  }

  request(method: string, path: string, body?: unknown): Promise<ScimResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/scim+json',
            ...(payload ? { 'Content-Type': 'application/scim+json', 'Content-Length': payload.length } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const ms = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            if (text.length > 0) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = text;
              }
            }
            resolve({ status: response.statusCode ?? 0, body: parsed, ms });
          });
        },
      );
      request.on('error', reject);
      if (payload) request.write(payload);
      request.end();
    });
  }

  /**
   * A request whose latency is recorded under `kind` when it answers `expected`; any other answer (or a network
   * error) is counted as a failure of that kind and returns null.
   */
  async timed(recorder: LatencyRecorder, kind: string, method: string, path: string, body: unknown, expected: number): Promise<ScimResponse | null> {
    try {
      const response = await this.request(method, path, body);
      if (response.status !== expected) {
        recorder.fail(kind, `HTTP ${response.status} (expected ${expected}): ${JSON.stringify(response.body).slice(0, 300)}`);
        return null;
      }
      recorder.record(kind, response.ms);
      return response;
    } catch (error) {
      recorder.fail(kind, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

export function filterPath(resource: 'Users' | 'Groups', filter: string, extra = ''): string {
  return `/scim/v2/${resource}?${extra}filter=${encodeURIComponent(filter)}`;
}

export function totalResultsOf(body: unknown): number | undefined {
  const value = (body as { totalResults?: unknown } | null)?.totalResults;
  return typeof value === 'number' ? value : undefined;
}
