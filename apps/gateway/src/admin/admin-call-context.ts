import { traceContextOf, type ScimCallContext } from '../http/request-context.js';
import type { AdminRequest } from './admin-token.guard.js';

/**
 * The call context of an admin request that writes events (turning a tenant's externalId uniqueness on or off
 * reserves or releases keys): the event metadata says who (`tokenId` is `admin:<admin token id>`, so an auditor
 * tells it from a SCIM token), from where and when, like a SCIM write's (DESIGN.md "Events").
 */
export function adminCallContext(request: AdminRequest, tenantId: string, now: Date): ScimCallContext {
  const outcome = { dryRun: false, eventIds: [] };
  return {
    tenantId,
    dryRun: false,
    outcome,
    metadata: {
      tenantId,
      tokenId: request.adminTokenId ? `admin:${request.adminTokenId}` : null,
      requestId: request.requestId ?? null,
      correlationId: request.requestId ?? null,
      sourceIp: request.ip ?? null,
      userAgent: request.header('user-agent')?.slice(0, 512) ?? null,
      occurredAt: now.toISOString(),
      ...traceContextOf(request),
    },
  };
}
