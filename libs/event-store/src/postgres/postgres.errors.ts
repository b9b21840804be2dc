import { EventStoreUnavailableError } from '../event-store.errors.js';

/** The fields of a `pg` DatabaseError (or a Node socket error) that decide how we translate it. */
interface PostgresErrorFields {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly message?: unknown;
}

export const UNIQUE_VIOLATION = '23505';
const DEADLOCK_DETECTED = '40P01';
const SERIALIZATION_FAILURE = '40001';

// SQLSTATE classes meaning "the server cannot serve us right now": 08 connection exception,
// 53 insufficient resources, 57 operator intervention (shutdown, query cancelled by timeout), 58 system error.
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58)/;
// ENOENT: the embedded store's Unix socket is gone (it stopped).
const UNAVAILABLE_SOCKET_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres reports these without a code.
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed|Connection terminated unexpectedly/i;

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const fields = error as PostgresErrorFields | null;
  return fields?.code === UNIQUE_VIOLATION && (constraint === undefined || fields.constraint === constraint);
}

/** Two transactions crossed; the loser is rolled back and a fresh attempt succeeds. */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as PostgresErrorFields | null)?.code;
  return code === DEADLOCK_DETECTED || code === SERIALIZATION_FAILURE;
}

export function isUnavailable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  const fields = error as PostgresErrorFields | null;
  if (typeof fields?.code === 'string' && (UNAVAILABLE_SQLSTATE.test(fields.code) || UNAVAILABLE_SOCKET_CODES.has(fields.code))) {
    return true;
  }
  return typeof fields?.message === 'string' && UNAVAILABLE_MESSAGES.test(fields.message);
}

/**
 * Outages become EventStoreUnavailableError (a 503 upstream); anything else is a bug or a constraint the
 * caller handles, and is rethrown unchanged so its stack and SQLSTATE stay visible.
 */
export function translateFailure(error: unknown, operation: string): unknown {
  if (error instanceof EventStoreUnavailableError) return error;
  if (isUnavailable(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new EventStoreUnavailableError(`event store unavailable during ${operation}: ${reason}`, { cause: error });
  }
  return error;
}
