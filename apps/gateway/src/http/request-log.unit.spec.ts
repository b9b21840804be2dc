import { describe, expect, it } from '@jest/globals';
import type { LogLevel } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import type { LogFormat } from '#config/gateway.config.js';
import type { ScimRequest } from './request-context.js';
import { requestLogLevel, requestLogMiddleware } from './request-log.js';

interface Written {
  level: LogLevel;
  context: string;
  msg: string;
  fields: Readonly<Record<string, unknown>>;
}

/** Just what the middleware touches of Express's request and response. */
function run(format: LogFormat, enabled: readonly LogLevel[], url: string, request: Record<string, unknown> = {}) {
  const written: Written[] = [];
  const logger = {
    isLevelEnabled: (level: LogLevel) => enabled.includes(level),
    record: (level: LogLevel, context: string, msg: string, fields: Readonly<Record<string, unknown>>) => written.push({ level, context, msg, fields }),
  };
  const response = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: false, locals: {} as Record<string, unknown> });
  const fullRequest = {
    originalUrl: url,
    url,
    method: 'GET',
    headers: { authorization: 'Bearer never-logged-0123456789', 'user-agent': 'Azure Active Directory SCIM Client' },
    requestId: 'req-1',
    baseUrl: '',
    outcome: { dryRun: false, eventIds: [] },
    ...request,
  } as unknown as ScimRequest;
  let nextCalls = 0;
  requestLogMiddleware(logger, format)(fullRequest, response as unknown as Response, () => nextCalls++);
  expect(nextCalls).toBe(1);
  const finish = (status: number) => {
    response.statusCode = status;
    response.writableFinished = true;
    response.emit('finish');
    response.emit('close');
  };
  return { written, response, finish };
}

const ALL: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

describe('requestLogMiddleware', () => {
  it('writes one line when the response has gone: route template, tenant, token id, status, scimType; no query, no header', () => {
    const { written, response, finish } = run('json', ALL, '/scim/v2/Users/u-1?attributes=emails', {
      method: 'PATCH',
      route: { path: '/scim/v2/Users/:id' },
      scimAuth: { tenantId: 'acme', tokenId: 'token-1' },
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
    response.locals.scimError = { scimType: 'mutability', detail: 'id is readOnly' };
    expect(written).toEqual([]);
    finish(400);
    expect(written).toEqual([
      {
        level: 'log',
        context: 'HTTP',
        msg: expect.stringMatching(/^PATCH \/scim\/v2\/Users\/:id 400 [\d.]+ ms$/),
        fields: {
          requestId: 'req-1',
          tenant: 'acme',
          tokenId: 'token-1',
          method: 'PATCH',
          route: '/scim/v2/Users/:id',
          path: undefined,
          status: 400,
          durationMs: expect.any(Number),
          scimType: 'mutability',
          dryRun: false,
          traceId: '0af7651916cd43dd8448eb211c80319c',
          userAgent: 'Azure Active Directory SCIM Client',
        },
      },
    ]);
    expect(JSON.stringify(written)).not.toMatch(/emails|never-logged/);
  });

  it('writes 499 when the client went away before the response was complete, and only once', () => {
    const { written, response } = run('json', ALL, '/scim/v2/Users', { route: { path: '/scim/v2/Users' } });
    response.emit('close');
    response.emit('finish');
    expect(written.map((line) => line.fields.status)).toEqual([499]);
  });

  it('names the path (without its query) when no route matched, and the admin token as admin:<id>', () => {
    const { written, finish } = run('json', ALL, '/admin/v1/nothing?x=1', { adminTokenId: 'a-1' });
    finish(404);
    expect(written[0].fields).toMatchObject({ route: null, path: '/admin/v1/nothing', tokenId: 'admin:a-1', tenant: null });
  });

  it('writes probes at debug, so LOG_LEVEL=log leaves them out; text mode writes every request at debug', () => {
    expect(requestLogLevel('json', false)).toBe('log');
    expect(requestLogLevel('json', true)).toBe('debug');
    expect(requestLogLevel('text', false)).toBe('debug');
    const probe = run('json', ['fatal', 'error', 'warn', 'log'], '/health', { route: { path: '/health' } });
    probe.finish(200);
    expect(probe.written).toEqual([]);
    const text = run('text', ['fatal', 'error', 'warn', 'log'], '/scim/v2/Users', { route: { path: '/scim/v2/Users' } });
    text.finish(200);
    expect(text.written).toEqual([]);
  });
});
