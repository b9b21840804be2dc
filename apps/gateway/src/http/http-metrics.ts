import { performance } from 'node:perf_hooks';
import type { NextFunction, Response } from 'express';
import type { ScimMetrics } from '#observability/metrics.js';
import type { ScimType } from '#scim/scim-error.js';
import { SCIM_ERROR_LOCAL, type RenderedScimError } from '../provisioning-log/provisioning-log.middleware.js';
import { resourceOf } from '../provisioning-log/provisioning-log.entry.js';
import type { ScimRequest } from './request-context.js';

/** The route label of a request no route matched (404, 405, or refused before routing: 413, invalid JSON). */
export const UNMATCHED_ROUTE = 'unmatched';

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** 2xx, 4xx...; `closed` when the client went away before the response was complete. */
export function statusClassOf(status: number, complete: boolean): string {
  if (!complete) return 'closed';
  return STATUS_CLASSES[Math.floor(status / 100)] ?? 'other';
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** The method as a label: the standard ones, anything else `other` (a client may send any token). */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

/** RFC 7644 §3.12's scimTypes, the only values the `scim_type` label takes besides `none` and `other`. */
const SCIM_TYPES: ReadonlySet<string> = new Set<ScimType>([
  'invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive',
]);

export function scimTypeLabel(scimType: string | undefined): string {
  if (scimType === undefined) return 'none';
  return SCIM_TYPES.has(scimType) ? scimType : 'other';
}

export interface ScimRequestKind {
  /** User, Group, Bulk, Search (the root .search), Me, ServiceProviderConfig, ResourceTypes, Schemas, or unknown. */
  readonly resourceType: string;
  /** create, replace, patch, delete, get, list, search, bulk, or other (a method the endpoint does not serve). */
  readonly operation: string;
}

const DISCOVERY = new Set(['ServiceProviderConfig', 'ResourceTypes', 'Schemas']);

/**
 * What a SCIM request does, from its method and path: a route template (`/scim/v2/Users/:id`) or, for a request
 * no route matched, the path as sent. The resource type is the provisioning log's (resourceOf), so the two agree.
 */
export function scimRequestKindOf(method: string, path: string): ScimRequestKind {
  const { resourceType, resourceId } = resourceOf(path);
  if (resourceType === null) return { resourceType: 'unknown', operation: 'other' };
  const search = /\/\.search\/?$/i.test(path);
  if (resourceType === 'Bulk') return { resourceType, operation: method === 'POST' ? 'bulk' : 'other' };
  if (resourceType === 'Search') return { resourceType, operation: method === 'POST' ? 'search' : 'other' };
  if (DISCOVERY.has(resourceType)) {
    if (method !== 'GET') return { resourceType, operation: 'other' };
    // /Schemas/<id> and /ResourceTypes/<name> address one; /ServiceProviderConfig is one.
    const named = resourceType !== 'ServiceProviderConfig' && /\/(?:Schemas|ResourceTypes)\/[^/]+/i.test(path);
    return { resourceType, operation: resourceType === 'ServiceProviderConfig' || named ? 'get' : 'list' };
  }
  return { resourceType, operation: resourceOperation(method, resourceId !== null, resourceType === 'Me', search) };
}

/** User, Group and Me (RFC 7644 §3.3 to §3.6, §3.11): `withId` when the path names one (/Users/<id>); /Me is one. */
function resourceOperation(method: string, withId: boolean, me: boolean, search: boolean): string {
  if (search) return method === 'POST' ? 'search' : 'other';
  const one = withId || me;
  switch (method) {
    case 'POST':
      return withId ? 'other' : 'create'; // POST /Users/<id> creates nothing
    case 'GET':
      return one ? 'get' : 'list';
    case 'PUT':
      return one ? 'replace' : 'other';
    case 'PATCH':
      return one ? 'patch' : 'other';
    case 'DELETE':
      return one ? 'delete' : 'other';
    default:
      return 'other';
  }
}

/** What a matched route's requests are labelled with, worked out once per method and route template. */
interface RouteLabels {
  readonly route: string;
  /** The same route reached under /scim/v2/dry-run (routeDryRun rewrites the URL before routing). */
  readonly dryRunRoute: string;
  /** null: not a SCIM route (health, metrics, admin API). */
  readonly scim: ScimRequestKind | null;
}

const SCIM_ROUTE = /^\/scim\/v2(?:\/|$)/i;

interface MeasuredRequest extends ScimRequest {
  metricsStartedAt?: number;
}

/**
 * Express middleware for every request (first, after the request id): when the response is done (or the client
 * has gone), one observation of scim_http_request_duration_seconds and, for a SCIM request, one count of
 * scim_requests_total. The route label is the matched route's template (Express's `request.route.path`, e.g.
 * `/scim/v2/Users/:id`), never the URL. Per request: a start time, one shared 'close' listener, Map lookups;
 * nothing awaits, and the labels of a route are worked out on its first request only.
 *
 * Independent of the provisioning log: it reads the scimType the exception filter leaves on `response.locals`
 * and the resource type from the same helper, but records whether or not the log does.
 */
export function httpMetricsMiddleware(metrics: ScimMetrics) {
  const routes = new Map<string, Map<string, RouteLabels>>();
  const labelsOf = (method: string, template: string): RouteLabels => {
    let byTemplate = routes.get(method);
    if (byTemplate === undefined) routes.set(method, (byTemplate = new Map()));
    let labels = byTemplate.get(template);
    if (labels === undefined) {
      const scim = SCIM_ROUTE.test(template);
      labels = {
        route: template,
        dryRunRoute: scim ? template.replace(/^\/scim\/v2/i, '/scim/v2/dry-run') : template,
        scim: scim ? scimRequestKindOf(method, template) : null,
      };
      byTemplate.set(template, labels);
    }
    return labels;
  };

  function measured(this: Response): void {
    const request = this.req as MeasuredRequest;
    const seconds = (performance.now() - (request.metricsStartedAt ?? 0)) / 1000;
    const method = methodLabel(request.method);
    const statusClass = statusClassOf(this.statusCode, this.writableFinished);
    const tenant = metrics.tenantLabel ? (request.scimAuth?.tenantId ?? 'none') : '';
    const template = (request.route as { path?: unknown } | undefined)?.path;
    let route = UNMATCHED_ROUTE;
    let scim: ScimRequestKind | null = null;
    if (typeof template === 'string') {
      const labels = labelsOf(method, template);
      route = request.outcome?.dryRun ? labels.dryRunRoute : labels.route;
      scim = labels.scim;
    } else {
      // No route: refused before routing, or an unknown endpoint. Classified from the path, which may be anything,
      // but every label value that comes out of it is from a closed set.
      const url = request.originalUrl ?? request.url;
      const queryStart = url.indexOf('?');
      const path = queryStart < 0 ? url : url.slice(0, queryStart);
      if (SCIM_ROUTE.test(path)) scim = scimRequestKindOf(method, path);
    }
    metrics.http.request(method, route, statusClass, tenant, seconds);
    if (scim !== null) {
      const error = this.locals?.[SCIM_ERROR_LOCAL] as RenderedScimError | undefined;
      metrics.scim.outcome(scim.resourceType, scim.operation, statusClass, scimTypeLabel(error?.scimType), tenant);
    }
  }

  return function measureRequest(request: MeasuredRequest, response: Response, next: NextFunction): void {
    request.metricsStartedAt = performance.now();
    // 'close' comes once per response: after it was sent, or when the client went away first. `on`, not `once`:
    // no wrapper per request for an event that fires once anyway.
    response.on('close', measured);
    next();
  };
}
