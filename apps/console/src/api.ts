/** The console's client of the admin API (docs/admin.md): JSON over fetch, with the session cookie and CSRF token. */

/** An answer that was not 2xx: status, the SCIM error's scimType and detail, as the admin API wrote them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: string,
    readonly retryAfter?: string,
  ) {
    super(`${status}${scimType ? ` ${scimType}` : ''}: ${detail}`);
  }
}

export interface Session {
  readonly adminTokenId: string;
  readonly adminTokenLabel: string;
  /** Kept in this page's memory only (never in storage): sent as X-CSRF-Token with every change. */
  readonly csrfToken: string;
  readonly expiresAt: string;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export const ADMIN_BASE = '/admin/v1';

/** `/admin/v1/tenants?x=1`: the query's empty values are left out. */
export function adminUrl(path: string, query: Query = {}): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') parameters.set(name, String(value));
  }
  const search = parameters.toString();
  return `${ADMIN_BASE}${path}${search ? `?${search}` : ''}`;
}

/** A SCIM error body (RFC 7644 §3.12) or any JSON: the parts a person can act on. */
export function errorOf(status: number, body: unknown, retryAfter?: string | null): ApiError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const detail =
    typeof record['detail'] === 'string'
      ? record['detail']
      : typeof record['message'] === 'string'
        ? record['message']
        : typeof body === 'string' && body !== ''
          ? body.slice(0, 500)
          : `the gateway answered ${status}`;
  const scimType = typeof record['scimType'] === 'string' ? record['scimType'] : undefined;
  return new ApiError(status, detail, scimType, retryAfter ?? undefined);
}

export class Api {
  csrfToken: string | null = null;
  /** Called when an answer says the session has ended (401): the console goes back to sign-in. */
  onSessionEnded: (reason: string) => void = () => undefined;

  constructor(private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init)) {}

  async get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', adminUrl(path, query));
  }

  async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, adminUrl(path), body);
  }

  /** A GET outside the admin API (/health, /ready): JSON whatever the status (ready answers 503 with its reasons). */
  async probe<T>(url: string): Promise<{ status: number; body: T }> {
    const response = await this.fetchImpl(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return { status: response.status, body: (await parse(response)) as T };
  }

  async session(): Promise<Session | null> {
    const response = await this.fetchImpl(adminUrl('/session'), { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.status === 401 || response.status === 404) return null;
    const body = await parse(response);
    if (!response.ok) throw errorOf(response.status, body, response.headers.get('retry-after'));
    const session = body as Session;
    this.csrfToken = session.csrfToken;
    return session;
  }

  async signIn(token: string): Promise<Session> {
    const response = await this.fetchImpl(adminUrl('/session'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token }),
    });
    const body = await parse(response);
    if (!response.ok) throw errorOf(response.status, body, response.headers.get('retry-after'));
    const session = body as Session;
    this.csrfToken = session.csrfToken;
    return session;
  }

  async signOut(): Promise<void> {
    try {
      await this.call('DELETE', adminUrl('/session'));
    } finally {
      this.csrfToken = null;
    }
  }

  private async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    const response = await this.fetchImpl(url, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = await parse(response);
    if (!response.ok) {
      const error = errorOf(response.status, parsed, response.headers.get('retry-after'));
      if (response.status === 401) this.onSessionEnded(error.detail);
      throw error;
    }
    return parsed as T;
  }
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
