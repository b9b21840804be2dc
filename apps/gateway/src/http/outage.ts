import { EventStoreUnavailableError } from '#event-store/event-store.errors.js';
import { isUnavailable } from '#event-store/postgres/postgres.errors.js';
import { ScimError } from '#scim/scim-error.js';

/**
 * A failure that means the database or the event store cannot serve us now, as the 503 it is answered with
 * (RFC 9110 §15.6.4; the exception filter adds Retry-After); undefined for anything else. The one test of "is
 * this an outage" for every path: reads of the read model, the provisioning log, tenancy and token lookups (the
 * bearer-token guard reads the tenants table), and writes. Outages are what isUnavailable knows: refused or
 * reset connections, the pool's connect timeout, SQLSTATE classes 08 (connection), 53 (too many connections,
 * out of resources), 57 (shutdown, terminated, statement timeout) and 58. The cause chain is searched too, for
 * errors that wrap the driver's.
 */
export function outageError(exception: unknown): ScimError | undefined {
  let error: unknown = exception;
  for (let depth = 0; depth < 5 && error !== null && error !== undefined; depth++) {
    if (error instanceof EventStoreUnavailableError) return new ScimError(503, undefined, 'the event store is unavailable; retry later');
    if (isUnavailable(error)) {
      const code = (error as { code?: unknown }).code;
      const reason = typeof code === 'string' ? ` (${code})` : '';
      return new ScimError(503, undefined, `the database is unavailable or overloaded${reason}; retry later`);
    }
    error = (error as { cause?: unknown }).cause;
  }
  return undefined;
}
