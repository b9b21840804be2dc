import type { NextFunction, Response } from 'express';
import type { ScimRequest } from '../http/request-context.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';

const DRY_RUN_PREFIX = `/${SCIM_BASE_PATH}/dry-run`;

/**
 * Every SCIM URL also works under /scim/v2/dry-run/... (docs/admin.md "Dry-run"): the request is routed to the
 * same controller as its live twin, marked as a dry run, and its commands run against a staging store, so the
 * status and body are those the live request would get while nothing is stored or published. Entra can be
 * pointed at `<base>/scim/v2/dry-run` as its Tenant URL to rehearse a configuration.
 */
export function routeDryRun(request: ScimRequest, response: Response, next: NextFunction): void {
  const path = request.url;
  if (path === DRY_RUN_PREFIX || path.startsWith(`${DRY_RUN_PREFIX}/`) || path.startsWith(`${DRY_RUN_PREFIX}?`)) {
    request.url = `/${SCIM_BASE_PATH}${path.slice(DRY_RUN_PREFIX.length)}`;
    request.outcome ??= { dryRun: false, eventIds: [] };
    request.outcome.dryRun = true;
    response.setHeader('X-Scim-Dry-Run', 'true');
  }
  next();
}
