import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { EventMetadata } from '#event-store/event-store.port.js';
import type { AuthenticatedToken } from '../tenancy/token.service.js';

export interface ScimRequest extends Request {
  requestId?: string;
  scimAuth?: AuthenticatedToken;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id (the client's X-Request-Id when it is sane) and echoes it in the response. */
export function assignRequestId(request: ScimRequest, response: Response, next: NextFunction): void {
  const offered = request.header('x-request-id');
  request.requestId = offered && SAFE_ID.test(offered) ? offered : randomUUID();
  response.setHeader('X-Request-Id', request.requestId);
  next();
}

/** What a write records about who made it (DESIGN.md "Events": metadata on every event). */
export interface ScimCallContext {
  readonly tenantId: string;
  readonly metadata: EventMetadata;
}

export function callContextOf(request: ScimRequest, now: Date): ScimCallContext {
  const auth = request.scimAuth;
  if (!auth) throw new Error('callContextOf used on a route without the bearer guard');
  const correlation = request.header('x-correlation-id');
  return {
    tenantId: auth.tenantId,
    metadata: {
      tenantId: auth.tenantId,
      tokenId: auth.tokenId,
      requestId: request.requestId ?? null,
      correlationId: correlation && SAFE_ID.test(correlation) ? correlation : (request.requestId ?? null),
      sourceIp: request.ip ?? null,
      userAgent: request.header('user-agent')?.slice(0, 512) ?? null,
      occurredAt: now.toISOString(),
    },
  };
}

/** `@CallContext() context: ScimCallContext` in a controller behind the bearer guard. */
export const CallContext = createParamDecorator((_: unknown, context: ExecutionContext): ScimCallContext =>
  callContextOf(context.switchToHttp().getRequest<ScimRequest>(), new Date()),
);
