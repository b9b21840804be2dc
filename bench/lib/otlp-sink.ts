import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSinkCounts {
  /** POST /v1/traces requests received, and their body bytes. */
  readonly traceRequests: number;
  readonly traceBytes: number;
  /** Anything else (another path or method): answered 404, counted so a misconfigured exporter shows. */
  readonly otherRequests: number;
}

export interface OtlpSink {
  readonly port: number;
  /** http://127.0.0.1:<port>, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly endpoint: string;
  counts(): OtlpSinkCounts;
  close(): Promise<void>;
}

/** Bodies larger than this are read and counted but not kept: the sink stores nothing. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A minimal OTLP/HTTP receiver for traces: answers POST /v1/traces with 200 and an empty body (an empty
 * ExportTraceServiceResponse, i.e. everything accepted) and counts requests and bytes, so a report can show that
 * spans really left the gateway. It decodes nothing: the cost measured is the exporter's, not a collector's.
 */
export async function startOtlpSink(host = '127.0.0.1'): Promise<OtlpSink> {
  let traceRequests = 0;
  let traceBytes = 0;
  let otherRequests = 0;
  const server = http.createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) request.destroy();
    });
    request.on('end', () => {
      const path = (request.url ?? '').split('?')[0];
      if (request.method === 'POST' && path === '/v1/traces') {
        traceRequests += 1;
        traceBytes += bytes;
        response.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
        response.end();
        return;
      }
      otherRequests += 1;
      response.writeHead(404, { 'content-length': '0' });
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    endpoint: `http://${host}:${port}`,
    counts: () => ({ traceRequests, traceBytes, otherRequests }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
