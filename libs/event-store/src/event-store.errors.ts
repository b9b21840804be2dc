/** The stream was not at the revision the append expected: someone else wrote first. Retry from a fresh read. */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  constructor(
    readonly streamName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${streamName} is at revision ${actual}, expected ${expected}`);
  }
}

/** The store could not be reached or failed unexpectedly (a 503 to clients, never a 404). */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * An event id that is already stored was used for a different event. A retry of an append that already
 * succeeded (same stream, same ids, same expected revision) is not this error: it returns the first result.
 */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly streamName: string,
    readonly eventIds: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`event id(s) ${eventIds.join(', ')} appended to ${streamName} are already stored`, options);
  }
}

/**
 * The command required its stream to be at a revision (a client's If-Match, RFC 7644 §3.14) and the stream is at
 * another, or does not exist (`actual` null): nothing was decided or appended. Not a race to retry, unlike
 * VersionConflictError: the client's copy is stale.
 */
export class RevisionPreconditionFailedError extends Error {
  override readonly name = 'RevisionPreconditionFailedError';
  constructor(
    readonly streamName: string,
    readonly required: bigint,
    readonly actual: bigint | null,
  ) {
    super(`stream ${streamName} is at revision ${actual ?? 'none'}, not the ${required} the command requires`);
  }
}

/** Every attempt of a command lost the race for one of its streams: the caller may retry later (never a 4xx). */
export class ContentionError extends Error {
  override readonly name = 'ContentionError';
  constructor(readonly streamName: string) {
    super(`too many concurrent changes to ${streamName}; retry the request`);
  }
}
