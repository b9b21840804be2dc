/** The admin CLI's only way in: the admin API over HTTP, so it works the same against an embedded or a server deployment. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`admin API answered ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
  }
}

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** A JSON call under /admin/v1; throws AdminApiError on a non-2xx answer. */
  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    const parsed: unknown = text === '' ? null : safeJson(text);
    if (!response.ok) throw new AdminApiError(response.status, parsed);
    return parsed as T;
  }

  /** Streams a response body (e.g. a JSON-lines export) chunk by chunk to `write`. */
  async stream(path: string, write: (chunk: Uint8Array) => Promise<void> | void): Promise<void> {
    const response = await this.request('GET', path);
    if (!response.ok) throw new AdminApiError(response.status, safeJson(await response.text()));
    if (!response.body) return;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) await write(chunk);
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/admin/v1${path}`;
    try {
      return await this.fetchImpl(url, {
        method,
        headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`cannot reach the gateway at ${this.baseUrl} (${(error as Error).cause ?? (error as Error).message}); is it running, and is ADMIN_URL right?`);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
