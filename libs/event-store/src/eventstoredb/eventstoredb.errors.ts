import { convertToCommandError, ErrorType } from '@eventstore/db-client';
import { EventStoreUnavailableError, VersionConflictError } from '../event-store.errors.js';
import type { StreamAppend } from '../event-store.port.js';
import { describeCurrentRevision, describeExpectedRevision } from './eventstoredb.positions.js';

/**
 * The client's errors carry a `type` (ErrorType); we decide on it rather than on classes, so an error that crossed
 * a module boundary (or a test double) is judged the same way. Some calls let a raw gRPC ServiceError through
 * (appendToStream, when the server-features probe before it fails: "14 UNAVAILABLE"); the client's own
 * convertToCommandError gives those their type first.
 */
interface VendorErrorFields {
  readonly type?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly actualVersion?: unknown;
}

// "The server cannot serve us right now": the connection, a deadline, a leader change, or the server itself.
const UNAVAILABLE_TYPES: ReadonlySet<unknown> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
  ErrorType.UNKNOWN,
  // Wrong credentials or ACLs in EVENTSTORE_URL: an operator's problem, a 503 with a log line, never a 4xx.
  ErrorType.ACCESS_DENIED,
]);
const UNAVAILABLE_SOCKET_CODES: ReadonlySet<unknown> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// The client's cluster discovery gives up with a bare Error.
const UNAVAILABLE_MESSAGES = /Failed to discover after \d+ attempts/;
// Worth sending again at once: the outcome is unknown or the leader moved (and appends are idempotent by id).
const TRANSIENT_TYPES: ReadonlySet<unknown> = new Set([ErrorType.UNAVAILABLE, ErrorType.DEADLINE_EXCEEDED, ErrorType.TIMEOUT, ErrorType.NOT_LEADER]);

function typed(error: unknown): VendorErrorFields | null {
  if (!(error instanceof Error) || (error as VendorErrorFields).type !== undefined) return error as VendorErrorFields | null;
  try {
    return convertToCommandError(error) as VendorErrorFields;
  } catch {
    return error as VendorErrorFields; // a numeric code without gRPC details: not one of the client's
  }
}

export function isWrongExpectedVersion(error: unknown): boolean {
  return typed(error)?.type === ErrorType.WRONG_EXPECTED_VERSION;
}

export function isStreamNotFound(error: unknown): boolean {
  return typed(error)?.type === ErrorType.STREAM_NOT_FOUND;
}

export function isUnavailable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  const fields = typed(error);
  if (UNAVAILABLE_TYPES.has(fields?.type) || UNAVAILABLE_SOCKET_CODES.has(fields?.code)) return true;
  return typeof fields?.message === 'string' && UNAVAILABLE_MESSAGES.test(fields.message);
}

/** A failure after which the very same append may be sent again (only with ids and an exact or no-stream revision). */
export function isTransient(error: unknown): boolean {
  const fields = typed(error);
  return TRANSIENT_TYPES.has(fields?.type) || UNAVAILABLE_SOCKET_CODES.has(fields?.code);
}

/** WrongExpectedVersionError as our VersionConflictError, stating the expectation as the caller gave it. */
export function toVersionConflict(error: unknown, append: StreamAppend): VersionConflictError {
  const actual = (error as VendorErrorFields | null)?.actualVersion;
  const conflict = new VersionConflictError(
    append.streamName,
    describeExpectedRevision(append.expectedRevision),
    describeCurrentRevision(typeof actual === 'bigint' || actual === 'no_stream' ? actual : null),
  );
  (conflict as { cause?: unknown }).cause = error;
  return conflict;
}

/**
 * Outages become EventStoreUnavailableError (a 503 upstream); anything else (a bug, an event over the server's
 * size limit) is rethrown unchanged so its stack and type stay visible.
 */
export function translateFailure(error: unknown, operation: string): unknown {
  if (error instanceof EventStoreUnavailableError) return error;
  if (isUnavailable(error)) {
    const reason = error instanceof Error ? error.message || (error as VendorErrorFields).type : String(error);
    return new EventStoreUnavailableError(`EventStoreDB unavailable during ${operation}: ${String(reason)}`, { cause: error });
  }
  return error;
}

/**
 * appendToStreams could not keep its all-or-nothing promise: some appends are stored and could not be undone
 * (no compensation was given for them, or appending it failed too). An outage to the client (503, the command
 * did not complete as asked) and a loud log line for the operator, who may have to release a reservation by hand
 * (docs/operations.md "Repairing a partial append").
 */
export class PartialAppendError extends EventStoreUnavailableError {
  // No `name` of its own: it stays an EventStoreUnavailableError (503) wherever errors are mapped.
  constructor(
    /** Streams whose appended events are still in the store. */
    readonly leftAppended: readonly string[],
    /** Streams of the same call that were never appended (or were undone). */
    readonly notAppended: readonly string[],
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `a multi-stream append was only partly applied: ${reason}; still appended: ${leftAppended.join(', ') || 'none'}; ` +
        `not appended: ${notAppended.join(', ') || 'none'}`,
      options,
    );
  }
}
