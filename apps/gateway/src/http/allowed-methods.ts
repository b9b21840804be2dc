import type { Application, NextFunction, Request, Response } from 'express';
import { MethodNotAllowedError } from '#scim/scim-error.js';

/** What this module reads of Express 5's router (the `router` package): each route layer, its matcher and methods. */
interface RouteLayer {
  readonly route?: { readonly methods: Readonly<Record<string, boolean>> };
  match(path: string): false | { readonly keys: readonly string[] };
}

/**
 * The methods the registered routes serve for the request's path, for a 405's `Allow` header (RFC 9110 §10.2.1,
 * §15.5.6). Read from the router that dispatched the request, so the controllers' decorators stay the one source
 * of truth, and a path rewritten before routing (the dry-run prefix) is looked up as it was routed. Empty when no
 * route matches the path: that is a 404. A route that names the path literally owns it (`/Users/.search` is not
 * a user id, RFC 7644 §3.4.3). GET implies HEAD, as Express answers HEAD with the GET route.
 */
export function allowedMethodsFor(request: Request): string[] {
  const matching = routeLayers(request.app).flatMap((layer) => {
    const match = layer.match(request.path);
    return match ? [{ methods: layer.route.methods, literal: match.keys.length === 0 }] : [];
  });
  const owners = matching.some(({ literal }) => literal) ? matching.filter(({ literal }) => literal) : matching;
  const methods = new Set<string>();
  for (const { methods: served } of owners) {
    for (const [method, serves] of Object.entries(served)) if (serves && method !== '_all') methods.add(method.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort((a, b) => rank(a) - rank(b));
}

/**
 * Express tries routes in order, so `GET /Users/.search` would reach `GET /Users/:id` and answer "user .search not
 * found". A path some route names literally is served by that route alone: any other method is a 405 here, before
 * routing. The literal paths are read from the router once, at the first request (routes are all registered by
 * then), so each request costs one map lookup.
 */
export function refuseMethodsALiteralRouteDoesNotServe(request: Request, _response: Response, next: NextFunction): void {
  const literalRoutes = (literalRoutesByApp.get(request.app) ?? indexLiteralRoutes(request.app)).get(routeKey(request.path));
  if (literalRoutes && !literalRoutes.has(ANY_METHOD) && !literalRoutes.has(request.method === 'HEAD' ? 'GET' : request.method)) {
    next(new MethodNotAllowedError(request.method, request.originalUrl.split('?')[0], allowedMethodsFor(request)));
    return;
  }
  next();
}

const ANY_METHOD = '*';
const literalRoutesByApp = new WeakMap<Application, Map<string, Set<string>>>();

function indexLiteralRoutes(app: Application): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const layer of routeLayers(app)) {
    const path = (layer as unknown as { rawPath?: unknown }).rawPath;
    if (typeof path !== 'string' || /[:*{}]/.test(path)) continue;
    const methods = index.get(routeKey(path)) ?? new Set<string>();
    // An `@All` route (`_all`) serves every method.
    for (const [method, serves] of Object.entries(layer.route.methods)) if (serves) methods.add(method === '_all' ? ANY_METHOD : method.toUpperCase());
    index.set(routeKey(path), methods);
  }
  literalRoutesByApp.set(app, index);
  return index;
}

/** Express matches paths case-insensitively and with an optional trailing slash (its defaults). */
function routeKey(path: string): string {
  return (path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
}

function routeLayers(app: Application): (RouteLayer & { route: NonNullable<RouteLayer['route']> })[] {
  return ((app.router.stack ?? []) as unknown as RouteLayer[]).filter((layer) => layer.route !== undefined) as (RouteLayer & {
    route: NonNullable<RouteLayer['route']>;
  })[];
}

/** RFC 9110 §9.3's order, PATCH (RFC 5789) beside PUT: `Allow` reads the same whatever order the controllers declare. */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const rank = (method: string) => (ORDER.includes(method) ? ORDER.indexOf(method) : ORDER.length);
