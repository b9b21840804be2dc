import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GatewayConfig, LogFormat } from '#config/gateway.config.js';
import type { StructuredLogger } from '#observability/json-logger.js';
import { ScimMetrics } from '#observability/metrics.js';
import { routeDryRun } from './dry-run/dry-run.middleware.js';
import { refuseMethodsALiteralRouteDoesNotServe } from './http/allowed-methods.js';
import { httpMetricsMiddleware } from './http/http-metrics.js';
import { httpServerTracing } from './http/http-tracing.js';
import { assignRequestId } from './http/request-context.js';
import { requestLogMiddleware } from './http/request-log.js';
import { answerClientErrors, checkRequestInput, refuseDeclaredOversizeBody } from './http/request-input.js';
import { SCIM_CONTENT_TYPE, ScimExceptionFilter } from './http/scim-exception.filter.js';
import { SCIM_BASE_PATH } from './scim-paths.js';
import { provisioningLogMiddleware } from './provisioning-log/provisioning-log.middleware.js';
import { ProvisioningLogRecorder } from './provisioning-log/provisioning-log.recorder.js';
import { TokenService } from './tenancy/token.service.js';

export interface GatewayAppOptions {
  /** The process logger (main.ts): one line per request (docs/observability.md "Logs"). Tests mostly leave it out. */
  readonly requestLog?: StructuredLogger & { readonly format: LogFormat };
}

/** HTTP settings shared by main.ts and the e2e tests, so tests exercise what production runs. */
export function configureGatewayApp(
  app: NestExpressApplication,
  config: Pick<GatewayConfig, 'maxBodyBytes' | 'requestLimits'>,
  options: GatewayAppOptions = {},
): void {
  answerClientErrors(app.getHttpServer());
  // First, so that everything after it runs inside the request's span (none while tracing is off).
  const tracing = httpServerTracing();
  if (tracing) app.use(tracing);
  // Next, so a request's duration covers every other middleware; not installed at all with METRICS_ENABLED=false.
  const metrics = app.get(ScimMetrics);
  if (metrics.enabled) app.use(httpMetricsMiddleware(metrics));
  app.use(assignRequestId);
  // Before everything that may refuse a request, so every request has its line.
  if (options.requestLog) app.use(requestLogMiddleware(options.requestLog, options.requestLog.format));
  // Before the body parser, so requests it refuses (invalid JSON, too large) are recorded too.
  const tokens = app.get(TokenService);
  app.use(provisioningLogMiddleware(app.get(ProvisioningLogRecorder), (token, now) => tokens.authenticate(token, now)));
  app.use(routeDryRun);
  // RFC 7644 §3.1: clients send application/scim+json; Entra and curl users often send application/json.
  app.use(refuseDeclaredOversizeBody(config.maxBodyBytes));
  app.useBodyParser('json', { type: ['application/scim+json', 'application/json'], limit: config.maxBodyBytes });
  // Right after parsing, before any route: NUL, lone surrogates, nesting and string limits (docs/operations.md "Limits").
  app.use(checkRequestInput(config.requestLimits));
  app.use(refuseMethodsALiteralRouteDoesNotServe);
  app.useGlobalFilters(new ScimExceptionFilter());
  // RFC 7644 §3.1: every SCIM response is application/scim+json. Set before the route runs (res.json keeps a type
  // already set), as a plain middleware rather than a Nest interceptor: that costs an rxjs pipeline per request.
  app.use(`/${SCIM_BASE_PATH}`, (_request: Request, response: Response, next: NextFunction) => {
    response.type(SCIM_CONTENT_TYPE);
    next();
  });
  // Resources carry their own ETag (meta.version); express's hash of every response body is work for nothing.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
}
