import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { EventMetadata, EventStore } from '#event-store/event-store.port.js';
import { validTraceContext } from '#observability/tracing.js';
import type { AuthenticatedToken } from '../tenancy/token.service.js';

/** What a request did, filled in while it runs; the provisioning log records it when the response ends. */
export interface RequestOutcome {
  /** The request came in under /scim/v2/dry-run/...: decided in full, nothing stored or published. */
  dryRun: boolean;
  /** Ids of the events the request appended (or, in a dry run, would have appended), in order. */
  readonly eventIds: string[];
  /** A dry run's staging event store (one per request, created on its first command). */
  staging?: EventStore;
  /** Group member ids the request offered that named no user or group and were left out (policy `skip`). */
  skippedMembers?: SkippedMembers;
}

/** The first SKIPPED_MEMBER_IDS_KEPT skipped ids (a 100,000-member PUT must not make a 100,000-id log entry), and how many in all. */
export interface SkippedMembers {
  readonly ids: string[];
  count: number;
}

export const SKIPPED_MEMBER_IDS_KEPT = 100;

/** Adds the member ids a group command skipped to the request's outcome (a Bulk request gathers every operation's). */
export function noteSkippedMembers(outcome: RequestOutcome, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const skipped = (outcome.skippedMembers ??= { ids: [], count: 0 });
  skipped.ids.push(...ids.slice(0, Math.max(0, SKIPPED_MEMBER_IDS_KEPT - skipped.ids.length)));
  skipped.count += ids.length;
}

export interface ScimRequest extends Request {
  requestId?: string;
  /** The W3C trace id of this request's server span, when tracing is on (OTEL_*): the request log line carries it. */
  traceId?: string;
  /** The W3C traceparent (and tracestate) of the server span, when tracing is on; the events' metadata records it. */
  traceparent?: string;
  tracestate?: string;
  scimAuth?: AuthenticatedToken;
  outcome?: RequestOutcome;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id (the client's X-Request-Id when it is sane) and echoes it in the response. */
export function assignRequestId(request: ScimRequest, response: Response, next: NextFunction): void {
  const offered = request.header('x-request-id');
  request.requestId = offered && SAFE_ID.test(offered) ? offered : randomUUID();
  request.outcome ??= { dryRun: false, eventIds: [] };
  response.setHeader('X-Request-Id', request.requestId);
  next();
}

/** What a write records about who made it (DESIGN.md "Events": metadata on every event). */
export interface ScimCallContext {
  readonly tenantId: string;
  readonly metadata: EventMetadata;
  /** Decide but do not store (the /scim/v2/dry-run/... URLs). */
  readonly dryRun: boolean;
  /** Where command handlers report the ids of the events they appended (or would have, in a dry run). */
  readonly outcome: RequestOutcome;
}

export function callContextOf(request: ScimRequest, now: Date): ScimCallContext {
  const auth = request.scimAuth;
  if (!auth) throw new Error('callContextOf used on a route without the bearer guard');
  const correlation = request.header('x-correlation-id');
  const outcome = (request.outcome ??= { dryRun: false, eventIds: [] });
  return {
    tenantId: auth.tenantId,
    dryRun: outcome.dryRun,
    outcome,
    metadata: {
      tenantId: auth.tenantId,
      tokenId: auth.tokenId,
      requestId: request.requestId ?? null,
      correlationId: correlation && SAFE_ID.test(correlation) ? correlation : (request.requestId ?? null),
      sourceIp: request.ip ?? null,
      userAgent: request.header('user-agent')?.slice(0, 512) ?? null,
      occurredAt: now.toISOString(),
      ...traceContextOf(request),
    },
  };
}

/**
 * The W3C trace context an event records (docs/observability.md "Tracing"): the request's server span while
 * tracing is on; with tracing off, the client's own `traceparent` when it is valid (version 00, non-zero ids), so
 * its trace continues downstream of the event even though this process exports nothing. Neither: no fields.
 */
export function traceContextOf(request: ScimRequest): Pick<EventMetadata, 'traceparent' | 'tracestate'> {
  if (request.traceparent !== undefined) {
    return request.tracestate ? { traceparent: request.traceparent, tracestate: request.tracestate } : { traceparent: request.traceparent };
  }
  return validTraceContext(request.header('traceparent'), request.header('tracestate'));
}

/** `@CallContext() context: ScimCallContext` in a controller behind the bearer guard. */
export const CallContext = createParamDecorator((_: unknown, context: ExecutionContext): ScimCallContext =>
  callContextOf(context.switchToHttp().getRequest<ScimRequest>(), new Date()),
);
