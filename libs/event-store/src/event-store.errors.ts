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
