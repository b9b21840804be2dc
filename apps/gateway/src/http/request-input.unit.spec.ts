import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { answerClientErrors, clientErrorOf } from './request-input.js';

/** Issue 12: what node's HTTP parser refuses is answered as a SCIM error (RFC 7644 §3.12), not an empty body. */
describe('answerClientErrors', () => {
  const answerTo = (code: string) => {
    const server = new EventEmitter();
    answerClientErrors(server as unknown as Server);
    const written: string[] = [];
    const socket = { writable: code !== 'ECONNRESET', destroyed: false, end: (text: string) => written.push(text), destroy: () => void (socket.destroyed = true) };
    server.emit('clientError', Object.assign(new Error('refused'), { code }), socket as unknown as Socket);
    return { written, socket };
  };

  it.each([
    ['HPE_HEADER_OVERFLOW', 431, /16 KB/],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, /in time/],
    ['ERR_HTTP_HEADERS_TIMEOUT', 408, /in time/],
    ['HPE_INVALID_HEADER_TOKEN', 400, /HPE_INVALID_HEADER_TOKEN/],
  ])('%s is %d with a SCIM error body and Connection: close', (code, status, detail) => {
    const { written } = answerTo(code);
    expect(written).toHaveLength(1);
    const [head, body] = written[0].split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toMatch(/\r\nContent-Type: application\/scim\+json/);
    expect(head).toMatch(/\r\nConnection: close/);
    expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: expect.stringMatching(detail) });
  });

  it('writes nothing to a socket the client already reset', () => {
    const { written, socket } = answerTo('ECONNRESET');
    expect(written).toEqual([]);
    expect(socket.destroyed).toBe(true);
  });

  it('maps an unknown parser error to 400', () => {
    expect(clientErrorOf(Object.assign(new Error('x'), { code: undefined })).status).toBe(400);
  });
});
