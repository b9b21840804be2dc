import type { LogLevel } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { performance } from 'node:perf_hooks';
import type { StructuredLogger } from '#observability/json-logger.js';
import type { LogFormat } from '#config/gateway.config.js';
import type { AdminRequest } from '../admin/admin-token.guard.js';
import { CLIENT_CLOSED_REQUEST, SCIM_ERROR_LOCAL, type RenderedScimError } from '../provisioning-log/provisioning-log.middleware.js';
import type { ScimRequest } from './request-context.js';

export const REQUEST_LOG_CONTEXT = 'HTTP';

/** Polled by load balancers and Prometheus every few seconds: their lines would drown the others. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/**
 * json: a line per request at `log` (info), probes at `debug`. text (a terminal): every request at `debug`, so
 * `npm start` shows the banner and what goes wrong, and LOG_LEVEL=debug shows the traffic too.
 */
export function requestLogLevel(format: LogFormat, probe: boolean): LogLevel {
  return format === 'json' && !probe ? 'log' : 'debug';
}

/**
 * One log line per HTTP request when its response has gone, or its client has (status 499): the route template
 * (never the query string: filters hold userNames and emails), the tenant and token id, status, duration and the
 * SCIM error type. Never the Authorization header nor the body. Nothing awaited, one JSON.stringify, one write.
 */
export function requestLogMiddleware(logger: StructuredLogger, format: LogFormat) {
  return function logRequest(request: ScimRequest & AdminRequest, response: Response, next: NextFunction): void {
    const started = performance.now();
    let logged = false;
    const finished = () => {
      if (logged) return;
      logged = true;
      const path = pathOf(request.originalUrl ?? request.url);
      const level = requestLogLevel(format, PROBE_PATHS.has(path));
      if (!logger.isLevelEnabled(level)) return;
      const { msg, fields } = requestLogRecord(request, response, path, performance.now() - started);
      logger.record(level, REQUEST_LOG_CONTEXT, msg, fields);
    };
    response.once('finish', finished);
    response.once('close', finished);
    next();
  };
}

export function requestLogRecord(
  request: ScimRequest & AdminRequest,
  response: Response,
  path: string,
  durationMs: number,
): { msg: string; fields: Record<string, unknown> } {
  const status = response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST;
  // Express leaves the matched route on the request; a request refused before routing (invalid JSON, 404) has none.
  const template = typeof request.route?.path === 'string' ? `${request.baseUrl ?? ''}${request.route.path}` : undefined;
  const error = response.locals?.[SCIM_ERROR_LOCAL] as RenderedScimError | undefined;
  const rounded = Math.round(durationMs * 10) / 10;
  const userAgent = request.headers['user-agent'];
  return {
    msg: `${request.method} ${template ?? path} ${status} ${rounded} ms`,
    fields: {
      requestId: request.requestId ?? null,
      tenant: request.scimAuth?.tenantId ?? null,
      tokenId: request.scimAuth?.tokenId ?? (request.adminTokenId ? `admin:${request.adminTokenId}` : null),
      method: request.method,
      route: template ?? null,
      // Only when no route matched: the path as sent (ids are not secrets; the query string never appears).
      path: template === undefined ? path.slice(0, 256) : undefined,
      status,
      durationMs: rounded,
      scimType: error?.scimType ?? null,
      dryRun: request.outcome?.dryRun ?? false,
      traceId: request.traceId,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 256) : undefined,
    },
  };
}

function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart < 0 ? url : url.slice(0, queryStart);
}
