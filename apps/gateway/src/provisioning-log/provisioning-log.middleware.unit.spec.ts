import { describe, expect, it, jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { NextFunction, Response } from 'express';
import { noteSkippedMembers, SKIPPED_MEMBER_IDS_KEPT, type ScimRequest } from '../http/request-context.js';
import type { ProvisioningLogEntry } from './provisioning-log.entry.js';
import { CLIENT_CLOSED_REQUEST, provisioningLogMiddleware, type TokenResolver } from './provisioning-log.middleware.js';

/** Just what the middleware touches of Express's request and response. */
function exchange(url: string, request: Partial<ScimRequest> = {}) {
  const headers: Record<string, string> = {};
  const response = Object.assign(new EventEmitter(), {
    statusCode: 200,
    writableFinished: false,
    locals: {} as Record<string, unknown>,
    getHeader: (name: string) => headers[name.toLowerCase()],
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
  });
  const fullRequest = { originalUrl: url, url, method: 'GET', headers: {}, requestId: 'req-1', outcome: { dryRun: false, eventIds: [] }, ...request };
  const finish = (status: number) => {
    response.statusCode = status;
    response.writableFinished = true;
    response.emit('finish');
    response.emit('close');
  };
  return { request: fullRequest as unknown as ScimRequest, response, asResponse: response as unknown as Response, finish };
}

function run(url: string, request: Partial<ScimRequest> = {}, resolveToken?: TokenResolver) {
  const recorded: ProvisioningLogEntry[] = [];
  const middleware = provisioningLogMiddleware({ record: (entry) => recorded.push(entry) }, resolveToken);
  const parts = exchange(url, request);
  let nextCalls = 0;
  const next: NextFunction = () => {
    nextCalls++;
  };
  middleware(parts.request, parts.asResponse, next);
  expect(nextCalls).toBe(1);
  return { ...parts, recorded };
}

describe('provisioningLogMiddleware', () => {
  it('records one entry when the response has gone, with what the request did', () => {
    const { request, response, finish, recorded } = run('/scim/v2/Users?attributes=userName', {
      method: 'POST',
      scimAuth: { tenantId: 'acme', tokenId: 'token-1' },
    });
    request.outcome!.eventIds.push('event-1', 'event-2');
    response.setHeader('Location', 'https://scim.example.com/scim/v2/Users/u-1');
    expect(recorded).toEqual([]);
    finish(201);
    expect(recorded).toEqual([
      {
        at: expect.any(Date),
        tenantId: 'acme',
        tokenId: 'token-1',
        requestId: 'req-1',
        method: 'POST',
        path: '/scim/v2/Users',
        query: 'attributes=userName',
        resourceType: 'User',
        resourceId: 'u-1',
        status: 201,
        durationMs: expect.any(Number),
        scimType: null,
        detail: null,
        eventIds: ['event-1', 'event-2'],
        dryRun: false,
        skippedMemberIds: [],
        skippedMemberCount: 0,
      },
    ]);
  });

  it('records the group member ids the request skipped: the first 100, each cut to 256 characters, and how many', () => {
    const { request, finish, recorded } = run('/scim/v2/Bulk', { method: 'POST', scimAuth: { tenantId: 'acme', tokenId: 't' } });
    const long = 'x'.repeat(300);
    noteSkippedMembers(request.outcome!, [long, ...Array.from({ length: 60 }, (_, i) => `ghost-${i}`)]);
    noteSkippedMembers(request.outcome!, Array.from({ length: 60 }, (_, i) => `later-${i}`)); // a second Bulk operation
    finish(200);
    const [entry] = recorded;
    expect(entry.skippedMemberCount).toBe(121);
    expect(entry.skippedMemberIds).toHaveLength(SKIPPED_MEMBER_IDS_KEPT);
    expect(entry.skippedMemberIds[0]).toBe(`${'x'.repeat(255)}…`);
    expect(entry.skippedMemberIds.slice(59, 62)).toEqual(['ghost-58', 'ghost-59', 'later-0']);
    expect(entry.skippedMemberIds[99]).toBe('later-38');
  });

  it('takes scimType and detail from what the exception filter rendered', () => {
    const { response, finish, recorded } = run('/scim/v2/Users/u-1', { method: 'PATCH', scimAuth: { tenantId: 'acme', tokenId: 't' } });
    response.locals.scimError = { scimType: 'invalidPath', detail: 'no such attribute "nmae"' };
    finish(400);
    expect(recorded[0]).toMatchObject({ status: 400, scimType: 'invalidPath', detail: 'no such attribute "nmae"', resourceId: 'u-1' });
  });

  it('records 499 when the client went away before the response was complete', () => {
    const { response, recorded } = run('/scim/v2/Users', { scimAuth: { tenantId: 'acme', tokenId: 't' } });
    response.emit('close');
    expect(recorded).toEqual([expect.objectContaining({ status: CLIENT_CLOSED_REQUEST, detail: expect.stringContaining('closed the connection') })]);
  });

  it('marks dry runs by the flag the dry-run routing sets, and by the URL', () => {
    const flagged = run('/scim/v2/dry-run/Users', { scimAuth: { tenantId: 'acme', tokenId: 't' } });
    flagged.request.outcome!.dryRun = true;
    flagged.finish(201);
    expect(flagged.recorded[0]).toMatchObject({ dryRun: true, path: '/scim/v2/dry-run/Users', resourceType: 'User' });
    const byUrl = run('/scim/v2/dry-run/Groups', { scimAuth: { tenantId: 'acme', tokenId: 't' } });
    byUrl.finish(200);
    expect(byUrl.recorded[0].dryRun).toBe(true);
  });

  it('leaves other paths alone', () => {
    for (const url of ['/admin/v1/tenants', '/health', '/scim/v20/Users']) {
      const { finish, recorded } = run(url);
      finish(200);
      expect(recorded).toEqual([]);
    }
  });

  it('records a 401 without a tenant and without looking the token up', () => {
    const resolveToken = jest.fn<TokenResolver>();
    const { finish, recorded } = run('/scim/v2/Users', { headers: { authorization: 'Bearer wrong-wrong-wrong' } }, resolveToken);
    finish(401);
    expect(recorded[0]).toMatchObject({ tenantId: null, tokenId: null, status: 401 });
    expect(resolveToken).not.toHaveBeenCalled();
  });

  it('attributes a request refused before the bearer guard to its token, after the response', async () => {
    const resolveToken = jest.fn<TokenResolver>(async () => ({ tenantId: 'acme', tokenId: 'token-1' }));
    const { finish, recorded } = run('/scim/v2/Users', { method: 'POST', headers: { authorization: 'Bearer good-good-good-good' } }, resolveToken);
    finish(400);
    expect(resolveToken).toHaveBeenCalledWith('good-good-good-good', expect.any(Date));
    await Promise.resolve();
    expect(recorded[0]).toMatchObject({ tenantId: 'acme', tokenId: 'token-1', status: 400 });
  });

  it('still records when the token cannot be looked up', async () => {
    const resolveToken = jest.fn<TokenResolver>(async () => {
      throw new Error('database down');
    });
    const { finish, recorded } = run('/scim/v2/Users', { headers: { authorization: 'Bearer good-good-good-good' } }, resolveToken);
    finish(413);
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorded[0]).toMatchObject({ tenantId: null, status: 413 });
  });
});
