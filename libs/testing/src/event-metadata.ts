import type { EventMetadata } from '#event-store/event-store.port.js';

/** Metadata of an event written by a test: a tenant and a time, no token, request or client. */
export function testEventMetadata(tenantId: string, occurredAt: string): EventMetadata {
  return { tenantId, tokenId: null, requestId: null, correlationId: null, sourceIp: null, userAgent: null, occurredAt };
}
