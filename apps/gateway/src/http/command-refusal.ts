import { ContentionError, RevisionPreconditionFailedError } from '#event-store/event-store.errors.js';
import { PreconditionFailedError, ScimError } from '#scim/scim-error.js';

/**
 * The command loop's own refusals as the SCIM errors they are answered with; undefined for anything else. A
 * stale If-Match is 412 (RFC 7644 §3.14; the version is the weak ETag of the stream revision); retries that ran out
 * under contention are an honest 503 (the exception filter adds Retry-After), never a fake 4xx. Outages of the
 * store are outageError's.
 */
export function commandRefusal(exception: unknown): ScimError | undefined {
  if (exception instanceof RevisionPreconditionFailedError) {
    return new PreconditionFailedError(`resource is at version W/"${exception.actual ?? 'none'}", not the W/"${exception.required}" given in If-Match`);
  }
  if (exception instanceof ContentionError) return new ScimError(503, undefined, `too many concurrent changes to ${exception.streamName}; retry the request`);
  return undefined;
}
