import { InvalidFilterError } from '#scim/scim-error.js';

/** SQLSTATE 57014 query_canceled: a statement timeout, or a cancel request (the message tells which). */
const QUERY_CANCELED = '57014';

/** The server ended the statement because it ran longer than statement_timeout. */
export function isStatementTimeout(error: unknown): boolean {
  const fields = error as { code?: unknown; message?: unknown } | null;
  return fields?.code === QUERY_CANCELED && typeof fields.message === 'string' && /statement timeout/i.test(fields.message);
}

/**
 * A filtered search that ran into the read statement timeout is the filter's cost: the same filter would fail the
 * same way again, so it is a 400 invalidFilter (RFC 7644 §3.12: a filter the service provider does not support)
 * naming the limit, not a 503 inviting a retry. Any other failure, and a timeout of a read the client could not make
 * dearer (no filter), is rethrown: an outage or an overloaded server, a 503 (scim-exception.filter.ts).
 */
export function searchFailure(error: unknown, filtered: boolean, statementTimeoutMs: number | undefined): unknown {
  if (!filtered || !isStatementTimeout(error)) return error;
  const limit = statementTimeoutMs === undefined ? 'the time allowed' : `the ${statementTimeoutMs} ms allowed (READ_STATEMENT_TIMEOUT_MS)`;
  return new InvalidFilterError(
    `the filter took longer than ${limit} and was stopped; narrow it (fewer terms, or eq/sw on indexed attributes such as userName, externalId, emails[type eq "work"].value)`,
  );
}
