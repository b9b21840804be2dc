import { VersionConflictError } from '../event-store.errors.js';
import type { AppendResult, NewEvent, RecordedEvent, StreamAppend } from '../event-store.port.js';
import { describeCurrentRevision, describeExpectedRevision, firstRevisionOf, satisfiesExpectedRevision } from './eventstoredb.positions.js';

/**
 * appendToStreams on a store without multi-stream transactions (DESIGN.md "Uniqueness is decided on the write
 * side": reserve first, then write, compensate on failure). The decisions, free of I/O:
 *
 * 1. Look before writing: a stream that is not at its expected revision now will refuse the append anyway, so
 *    the whole call is refused before anything is written (no compensation needed), unless its events are
 *    already there: a retry of a call that succeeded, answered with what it stored.
 * 2. Write the appends that can be undone first (those with a `compensation`), then the others in the caller's
 *    order. For the command loop that is: key reservations, then the resource's stream, then key releases.
 * 3. If a write fails, append each undoable append's compensation, newest first. If an append that cannot be
 *    undone is already written, nothing is undone: its events stand and the call fails as partly applied.
 */

export function compensationOf(append: StreamAppend): readonly NewEvent[] {
  return append.compensation ?? [];
}

export function isUndoable(append: StreamAppend): boolean {
  return compensationOf(append).length > 0;
}

/** Indexes of `appends` in the order to write them: undoable ones first, each group in the caller's order. */
export function executionOrder(appends: readonly StreamAppend[]): number[] {
  const indexes = appends.map((_, index) => index);
  return [...indexes.filter((index) => isUndoable(appends[index])), ...indexes.filter((index) => !isUndoable(appends[index]))];
}

export type PrecheckVerdict =
  | { readonly kind: 'append' }
  | { readonly kind: 'already-appended'; readonly result: AppendResult }
  | { readonly kind: 'conflict'; readonly conflict: VersionConflictError };

/**
 * Step 1 for one append, given the stream's last revision (null: no stream) and a way to read `count` of its
 * events from a revision on.
 */
export async function precheckAppend(
  append: StreamAppend,
  lastRevision: bigint | null,
  readFrom: (fromRevision: bigint, count: number) => Promise<readonly RecordedEvent[]>,
): Promise<PrecheckVerdict> {
  if (satisfiesExpectedRevision(append.expectedRevision, lastRevision)) return { kind: 'append' };
  const first = firstRevisionOf(append.expectedRevision);
  if (first !== null && lastRevision !== null && lastRevision >= first + BigInt(append.events.length) - 1n) {
    // Its events followed by its own compensation: that call was undone, and this one must be planned afresh.
    const compensation = compensationOf(append);
    const stored = await readFrom(first, append.events.length + compensation.length);
    const mine = stored.slice(0, append.events.length);
    if (isStoredAppend(append, first, mine) && !isCompensated(compensation, stored.slice(append.events.length))) {
      const last = mine[mine.length - 1];
      return { kind: 'already-appended', result: { nextRevision: last.revision, position: last.position } };
    }
  }
  return {
    kind: 'conflict',
    conflict: new VersionConflictError(append.streamName, describeExpectedRevision(append.expectedRevision), describeCurrentRevision(lastRevision)),
  };
}

/** The append's events, in its order, at the revisions it expected: it was stored before. */
export function isStoredAppend(append: StreamAppend, firstRevision: bigint, stored: readonly RecordedEvent[]): boolean {
  if (stored.length !== append.events.length) return false;
  return append.events.every((event, index) => {
    const found = stored[index];
    return found.id.toLowerCase() === event.id.toLowerCase() && found.streamName === append.streamName && found.revision === firstRevision + BigInt(index);
  });
}

function isCompensated(compensation: readonly NewEvent[], following: readonly RecordedEvent[]): boolean {
  if (compensation.length === 0 || following.length < compensation.length) return false;
  return compensation.every((event, index) => following[index].id.toLowerCase() === event.id.toLowerCase());
}

/** Step 3 for one written append: its compensation, expected right after what it wrote. */
export function compensatingAppend(append: StreamAppend, written: AppendResult): StreamAppend {
  return { streamName: append.streamName, expectedRevision: written.nextRevision, events: compensationOf(append) };
}
