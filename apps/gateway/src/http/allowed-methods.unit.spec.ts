import express, { type Request } from 'express';
import { MethodNotAllowedError } from '#scim/scim-error.js';
import { allowedMethodsFor, refuseMethodsALiteralRouteDoesNotServe } from './allowed-methods.js';

/** An Express app with the shape of the gateway's routes: a collection, its .search, a member, an `@All` route. */
function appWithRoutes(): express.Express {
  const app = express();
  const handler = () => undefined;
  app.post('/scim/v2/Users', handler);
  app.get('/scim/v2/Users', handler);
  app.post('/scim/v2/Users/.search', handler);
  app.delete('/scim/v2/Users/:id', handler);
  app.get('/scim/v2/Users/:id', handler);
  app.patch('/scim/v2/Users/:id', handler);
  app.all('/scim/v2/Me', handler);
  return app;
}
const requestFor = (app: express.Express, method: string, path: string) => ({ app, method, path, originalUrl: `${path}?x=1` }) as unknown as Request;

describe('allowedMethodsFor (RFC 9110 §10.2.1 Allow)', () => {
  const app = appWithRoutes();

  it.each([
    ['/scim/v2/Users', ['GET', 'HEAD', 'POST']],
    ['/scim/v2/Users/abc', ['GET', 'HEAD', 'PATCH', 'DELETE']],
    ['/scim/v2/users/', ['GET', 'HEAD', 'POST']],
    // A path a route names literally belongs to it, not to the `:id` route beside it (RFC 7644 §3.4.3).
    ['/scim/v2/Users/.search', ['POST']],
    ['/scim/v2/Nothing', []],
    ['/scim/v2/Users/abc/def', []],
  ])('%s allows %j, in RFC 9110 order whatever the declaration order', (path, allowed) => {
    expect(allowedMethodsFor(requestFor(app, 'PUT', path))).toEqual(allowed);
  });
});

describe('refuseMethodsALiteralRouteDoesNotServe', () => {
  const app = appWithRoutes();
  const outcome = (method: string, path: string) => {
    let passed: unknown = 'not called';
    refuseMethodsALiteralRouteDoesNotServe(requestFor(app, method, path), {} as never, (error?: unknown) => (passed = error));
    return passed;
  };

  it('lets through a method the literal route serves, HEAD where it serves GET, and every path no literal route names', () => {
    expect([outcome('POST', '/scim/v2/Users/.search'), outcome('HEAD', '/scim/v2/Users'), outcome('GET', '/scim/v2/Users/abc'), outcome('PUT', '/scim/v2/Me')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('refuses another method on a literal path with a 405 naming the path the client sent and the allowed methods', () => {
    const refused = outcome('GET', '/scim/v2/Users/.search');
    expect(refused).toBeInstanceOf(MethodNotAllowedError);
    expect(refused).toMatchObject({ status: 405, allowedMethods: ['POST'], detail: 'GET is not supported on /scim/v2/Users/.search; it allows POST' });
  });
});
