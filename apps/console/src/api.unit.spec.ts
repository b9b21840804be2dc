import { describe, expect, it } from '@jest/globals';
import { Api, ApiError, adminUrl, errorOf } from './api.js';

function fakeFetch(answers: { status: number; body?: unknown; headers?: Record<string, string> }[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const impl = (async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    const answer = answers.shift()!;
    const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(answer.status === 204 ? null : text, { status: answer.status, headers: answer.headers });
  }) as unknown as typeof fetch;
  return { impl, calls };
}

describe('console admin API client', () => {
  it('builds /admin/v1 URLs, leaving out empty query values', () => {
    expect(adminUrl('/tenants/t/provisioning-log', { status: '4xx', resourceId: '', cursor: undefined, limit: 50 })).toBe(
      '/admin/v1/tenants/t/provisioning-log?status=4xx&limit=50',
    );
  });

  it('reads a SCIM error body into status, scimType and detail', () => {
    const error = errorOf(409, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness', detail: 'userName taken' });
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.scimType, error.detail]).toEqual([409, 'uniqueness', 'userName taken']);
    expect(errorOf(502, '<html>bad gateway</html>').detail).toBe('<html>bad gateway</html>');
    expect(errorOf(503, null, '5').retryAfter).toBe('5');
  });

  it('sends the CSRF token with changes only, and same-origin credentials always', async () => {
    const { impl, calls } = fakeFetch([
      { status: 201, body: { adminTokenId: 'a', adminTokenLabel: 'l', csrfToken: 'csrf-1', expiresAt: 'x' } },
      { status: 200, body: { tenants: [] } },
      { status: 201, body: { id: 't' } },
    ]);
    const api = new Api(impl);
    await api.signIn('admin-token');
    await api.get('/tenants');
    await api.send('POST', '/tenants', { id: 't' });
    expect(calls.map((call) => call.init.credentials)).toEqual(['same-origin', 'same-origin', 'same-origin']);
    expect((calls[1].init.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
    expect((calls[2].init.headers as Record<string, string>)['X-CSRF-Token']).toBe('csrf-1');
    expect(calls[2].init.body).toBe('{"id":"t"}');
  });

  it('throws the API\'s error and reports an ended session on 401', async () => {
    const { impl } = fakeFetch([
      { status: 400, body: { scimType: 'invalidValue', detail: 'bad id' } },
      { status: 401, body: { detail: 'the console session has ended' } },
    ]);
    const api = new Api(impl);
    const ended: string[] = [];
    api.onSessionEnded = (reason) => ended.push(reason);
    await expect(api.send('POST', '/tenants', {})).rejects.toMatchObject({ status: 400, scimType: 'invalidValue', detail: 'bad id' });
    expect(ended).toEqual([]);
    await expect(api.get('/tenants')).rejects.toMatchObject({ status: 401 });
    expect(ended).toEqual(['the console session has ended']);
  });

  it('has no session when the gateway answers 401 or 404 (console turned off)', async () => {
    expect(await new Api(fakeFetch([{ status: 401, body: {} }]).impl).session()).toBeNull();
    expect(await new Api(fakeFetch([{ status: 404, body: {} }]).impl).session()).toBeNull();
  });
});
