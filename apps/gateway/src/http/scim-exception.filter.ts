import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MethodNotAllowedError, ScimError } from '#scim/scim-error.js';
import { allowedMethodsFor } from './allowed-methods.js';
import { commandRefusal } from './command-refusal.js';
import { outageError } from './outage.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/**
 * The one place errors become responses (STYLE.md principle 5). A ScimError renders as itself; the event store's
 * refusals (commandRefusal: 412, 503) and outages (outageError: 503), framework and body-parser errors get their
 * SCIM meaning; anything unexpected is a 500 with a log line carrying the request id (never a fake 404).
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ScimExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const error = this.toScimError(exception, request);
    if (error.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
    if (error.status === 503) response.setHeader('Retry-After', '1');
    if (error instanceof MethodNotAllowedError) response.setHeader('Allow', error.allowedMethods.join(', '));
    // For the provisioning log (apps/gateway/src/provisioning-log), which records the response when it ends.
    if (response.locals) response.locals.scimError = { scimType: error.scimType, detail: error.detail };
    response.status(error.status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(error.toJSON()));
  }

  private toScimError(exception: unknown, request: Request): ScimError {
    if (exception instanceof ScimError) {
      if (exception.status >= 500) this.logFailure(exception, request);
      return exception;
    }
    const refusal = commandRefusal(exception);
    if (refusal) {
      if (refusal.status >= 500) this.logFailure(exception, request);
      return refusal;
    }
    const bodyParserType = (exception as { type?: string } | null)?.type;
    if (bodyParserType === 'entity.parse.failed') {
      return new ScimError(400, 'invalidSyntax', `request body is not valid JSON: ${(exception as Error).message}`);
    }
    if (bodyParserType === 'entity.too.large') {
      return new ScimError(413, undefined, `request body is larger than the ${(exception as { limit?: number }).limit ?? ''} bytes allowed`);
    }
    const clientFault = clientFaultOf(exception);
    if (clientFault) return clientFault;
    const outage = outageError(exception);
    if (outage) {
      this.logFailure(exception, request);
      return outage;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) return routeMiss(request);
      if (status >= 500) this.logFailure(exception, request);
      return new ScimError(status, status === 400 ? 'invalidSyntax' : undefined, exception.message);
    }
    this.logFailure(exception, request);
    return new ScimError(500, undefined, `internal error (request id ${requestIdOf(request)}); the gateway's log has the details`);
  }

  private logFailure(exception: unknown, request: Request): void {
    const message = exception instanceof Error ? exception.message : String(exception);
    // The path without its query string: a filter names people (userName eq "ann@contoso.com").
    const path = request.originalUrl.split('?')[0];
    this.logger.error(
      `${request.method} ${path} failed (request id ${requestIdOf(request)}): ${message}`,
      exception instanceof Error ? exception.stack : undefined,
    );
  }
}

/**
 * No route took the request (Nest's not-found handler). A path some route serves with other methods is a 405 with
 * `Allow` (RFC 9110 §15.5.6); only a path no route serves is a 404 (RFC 7644 §3.12). The path named is the one the
 * client sent (a dry-run request is routed without its prefix).
 */
function routeMiss(request: Request): ScimError {
  const path = request.originalUrl.split('?')[0];
  const allowed = allowedMethodsFor(request);
  if (allowed.length > 0) return new MethodNotAllowedError(request.method, path, allowed);
  return new ScimError(404, undefined, `no such endpoint: ${request.method} ${path}`);
}

/**
 * Other errors of the HTTP stack that blame the request (http-errors with `expose`, e.g. body-parser's
 * unsupported charset 415 or an aborted body 400): their own 4xx status and message, never a 500.
 */
function clientFaultOf(exception: unknown): ScimError | undefined {
  const candidate = exception as { status?: unknown; expose?: unknown; message?: unknown } | null;
  if (candidate === null || typeof candidate !== 'object' || candidate.expose !== true) return undefined;
  const status = candidate.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return new ScimError(status, status === 400 ? 'invalidSyntax' : undefined, String(candidate.message));
}

export function requestIdOf(request: Request): string {
  return (request as Request & { requestId?: string }).requestId ?? 'unknown';
}
