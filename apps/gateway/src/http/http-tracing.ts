import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Response } from 'express';
import { formatTraceparent, tracer } from '#observability/tracing.js';
import type { ScimRequest } from './request-context.js';

const HEADERS: TextMapGetter<IncomingHttpHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key],
};

/** The longest path a span records (a path holds ids, never a query string). */
const MAX_PATH = 512;

/**
 * The SERVER span of a request, first in the middleware chain: it continues the trace of an incoming W3C
 * `traceparent`/`tracestate`, is named `METHOD /route/:template` once a route answered it (just `METHOD` when none
 * did: a 404, or a request a middleware refused), and everything downstream (guards, the command, its SQL) runs in
 * its context, so their spans are its children. Sets `request.traceId` for the request log line and
 * `request.traceparent` for the events' metadata. Null while tracing is off: nothing is added to the chain.
 */
export function httpServerTracing(): ((request: ScimRequest, response: Response, next: NextFunction) => void) | null {
  if (tracer() === null) return null;
  return (request, response, next) => {
    const active = tracer();
    if (active === null) return next();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, HEADERS);
    const method = request.method;
    const span = active.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: request.path.slice(0, MAX_PATH),
          [ATTR_URL_SCHEME]: request.protocol,
          ...(request.ip ? { [ATTR_CLIENT_ADDRESS]: request.ip } : {}),
          ...(request.headers['user-agent'] ? { [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'].slice(0, 512) } : {}),
        },
      },
      parent,
    );
    const spanContext = span.spanContext();
    request.traceId = spanContext.traceId;
    request.traceparent = formatTraceparent(spanContext);
    request.tracestate = spanContext.traceState?.serialize() || undefined;
    response.once('close', () => {
      // Express sets request.route on the route that answered; Nest mounts every route on the app's own router.
      const route = (request.route as { path?: unknown } | undefined)?.path;
      if (typeof route === 'string') {
        const template = `${request.baseUrl}${route}`;
        span.updateName(`${method} ${template}`);
        span.setAttribute(ATTR_HTTP_ROUTE, template);
      }
      const status = response.statusCode;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (!response.writableFinished) {
        // The client went away before the answer was sent.
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was sent' });
      } else if (status >= 500) {
        // A server span is an error on 5xx only; a 4xx is the client's (semantic conventions, HTTP spans).
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    const spanContextOfRequest = trace.setSpan(parent, span);
    // Listeners added later (the body parser's 'data' and 'end') run in the span's context too, so the
    // middleware after the body parser stays inside the span.
    context.bind(spanContextOfRequest, request);
    context.bind(spanContextOfRequest, response);
    context.with(spanContextOfRequest, next);
  };
}
