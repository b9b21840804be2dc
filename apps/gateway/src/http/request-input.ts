import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { RequestLimits } from '#scim/messages/request-limits.js';
import { assertStorableText, checkJsonInput } from '#scim/resource/json-input.js';
import { InvalidValueError, PayloadTooLargeError, ScimError } from '#scim/scim-error.js';
import { SCIM_CONTENT_TYPE } from './scim-exception.filter.js';

/**
 * A body declared larger than MAX_BODY_BYTES is 413 at once. The body parser would find the same, but it reads
 * (or waits for) the whole declared body before it answers: a client that declares 2 MB and sends nothing waited
 * for the server's request timeout. `Connection: close` spares reading a body nobody will use.
 */
export function refuseDeclaredOversizeBody(maxBodyBytes: number) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      response.setHeader('Connection', 'close');
      next(new PayloadTooLargeError(`the request body declares ${declared} bytes (Content-Length); at most ${maxBodyBytes} are allowed (MAX_BODY_BYTES)`));
      return;
    }
    next();
  };
}

/**
 * The edge check of every request, right after the body is parsed and before any route runs (docs/operations.md
 * "Limits"): the path and the query parameters must decode to text that can be stored (no NUL, no lone surrogate,
 * valid percent-encoded UTF-8), and the JSON body keeps to the nesting and string limits, with storable strings.
 * Headers need no check here: node's HTTP parser refuses NUL and control characters in them (answered by
 * answerClientErrors), and decodes them as Latin-1, which has no surrogates.
 */
export function checkRequestInput(limits: Pick<RequestLimits, 'json'>) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    try {
      assertStorableText(decodePath(request.path), 'the URL path');
      for (const [name, value] of Object.entries(request.query ?? {})) {
        assertStorableText(name, 'a query parameter name');
        checkJsonInput(value, limits.json, `query parameter ${name}`);
      }
      if (request.body !== undefined) checkJsonInput(request.body, limits.json, 'the request body');
      next();
    } catch (error) {
      next(error);
    }
  };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new InvalidValueError(`the URL path is not valid percent-encoded UTF-8 (RFC 3986 §2.1): ${path.slice(0, 200)}`);
  }
}

/**
 * Requests node's HTTP parser refuses before any route sees them (a URL or headers over its 16 KB limit, a
 * malformed request line or header, a request timeout) get a SCIM error body (RFC 7644 §3.12) instead of node's
 * empty answer. There is no request or response object at that point, so the answer is written to the socket.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: { headersSent?: boolean } }) => {
    // As node's own handler: nothing more can be said once a response has begun (or the client is gone).
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(rawScimError(clientErrorOf(error)));
  });
}

export function clientErrorOf(error: NodeJS.ErrnoException): ScimError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ScimError(431, undefined, 'the request line and headers are larger than the 16 KB the server accepts; send a long filter in a POST .search body (RFC 7644 §3.4.3)');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return new ScimError(408, undefined, 'the request did not arrive in full in time');
    default:
      return new ScimError(400, undefined, `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'}${error.message ? `: ${error.message}` : ''})`);
  }
}

export function rawScimError(error: ScimError): string {
  const body = JSON.stringify(error.toJSON());
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}`,
    `Content-Type: ${SCIM_CONTENT_TYPE}; charset=utf-8`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
