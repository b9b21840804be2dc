import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Response } from 'express';
import type { ScimRequest } from '../http/request-context.js';
import type { AuthenticatedToken } from '../tenancy/token.service.js';
import { clip, isDryRunPath, isScimPath, resourceOf, type ProvisioningLogEntry } from './provisioning-log.entry.js';
import { bearerTokenOf } from '../http/bearer-token.js';

/** What ScimExceptionFilter leaves on `response.locals` for the log: the error it rendered. */
export interface RenderedScimError {
  readonly scimType: string | undefined;
  readonly detail: string;
}

export const SCIM_ERROR_LOCAL = 'scimError';

/** Where a finished request goes: ProvisioningLogRecorder, or a test double. */
export interface ProvisioningLogSink {
  record(entry: ProvisioningLogEntry): void;
}

/** Finds the tenant of a bearer token (TokenService.authenticate, cached). */
export type TokenResolver = (token: string, now: Date) => Promise<AuthenticatedToken | null>;

/** Client went away before the response was complete (nginx's convention; never sent on the wire). */
export const CLIENT_CLOSED_REQUEST = 499;

const logger = new Logger('ProvisioningLog');

/**
 * Express middleware for every /scim/v2 request: notes the start, and when the response has gone (or the client
 * has), hands one entry to the sink. Nothing here awaits anything, so the SCIM request is never slowed or failed.
 *
 * A request refused before the bearer guard ran (invalid JSON, body too large, unknown endpoint) has no tenant
 * yet; its token is resolved after the response to attribute it. A 401 is recorded without a tenant.
 */
export function provisioningLogMiddleware(sink: ProvisioningLogSink, resolveToken?: TokenResolver) {
  return function recordScimRequest(request: ScimRequest, response: Response, next: NextFunction): void {
    const url = request.originalUrl ?? request.url;
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    if (!isScimPath(path)) {
      next();
      return;
    }
    const at = new Date();
    const started = performance.now();
    let recorded = false;
    const finished = () => {
      if (recorded) return;
      recorded = true;
      try {
        const entry = entryOf(request, response, path, queryStart < 0 ? null : url.slice(queryStart + 1), at, performance.now() - started);
        const bearer = entry.tenantId === null && entry.status !== 401 && resolveToken ? bearerTokenOf(request.headers.authorization) : null;
        if (!bearer) {
          sink.record(entry);
          return;
        }
        resolveToken!(bearer, new Date()).then(
          (token) => sink.record(token ? { ...entry, tenantId: token.tenantId, tokenId: token.tokenId } : entry),
          () => sink.record(entry),
        );
      } catch (error) {
        logger.error(`provisioning log: cannot record ${request.method} ${path}: ${String(error)}`);
      }
    };
    response.once('finish', finished);
    response.once('close', finished);
    next();
  };
}

function entryOf(request: ScimRequest, response: Response, path: string, query: string | null, at: Date, durationMs: number): ProvisioningLogEntry {
  const complete = response.writableFinished;
  const error = response.locals?.[SCIM_ERROR_LOCAL] as RenderedScimError | undefined;
  const status = complete ? response.statusCode : CLIENT_CLOSED_REQUEST;
  const location = status === 201 ? response.getHeader('location') : undefined;
  const { resourceType, resourceId } = resourceOf(path, typeof location === 'string' ? location : undefined);
  const detail = error?.detail ?? (complete ? null : 'the client closed the connection before the response was complete');
  return {
    at,
    tenantId: request.scimAuth?.tenantId ?? null,
    tokenId: request.scimAuth?.tokenId ?? null,
    requestId: request.requestId ?? null,
    method: clip(request.method, 16),
    path: clip(path, 2048),
    query: query === null || query === '' ? null : clip(query, 2048),
    resourceType,
    resourceId,
    status,
    durationMs: Math.round(durationMs * 10) / 10,
    scimType: error?.scimType ?? null,
    detail: detail === null ? null : clip(detail, 2000),
    eventIds: [...(request.outcome?.eventIds ?? [])],
    dryRun: (request.outcome?.dryRun ?? false) || isDryRunPath(path),
    skippedMemberIds: (request.outcome?.skippedMembers?.ids ?? []).map((id) => clip(id, 256)),
    skippedMemberCount: request.outcome?.skippedMembers?.count ?? 0,
  };
}

