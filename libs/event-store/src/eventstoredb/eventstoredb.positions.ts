import { ANY, NO_STREAM, START, type CurrentRevision, type AppendExpectedRevision, type Position, type ReadPosition } from '@eventstore/db-client';
import type { ExpectedRevision, GlobalPosition } from '../event-store.port.js';

/**
 * Where things are, in our terms and in EventStoreDB's. A global position maps one to one: EventStoreDB orders
 * $all by (commit, prepare) exactly as comparePositions does, and both are unsigned 64-bit numbers, so our
 * START (-1, -1) is the only position that has no EventStoreDB counterpart but its START.
 */

export function toGlobalPosition(position: Position): GlobalPosition {
  return { commit: position.commit, prepare: position.prepare };
}

/** Where a read or subscription "after `position`" starts: EventStoreDB's START for our START. */
export function toReadPosition(position: GlobalPosition): ReadPosition {
  if (position.commit < 0n || position.prepare < 0n) return START;
  return { commit: position.commit, prepare: position.prepare };
}

export function toVendorExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no-stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  return expected;
}

/** As VersionConflictError states the expectation: 'no-stream', 'any' or the revision's digits. */
export function describeExpectedRevision(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

/** The revision EventStoreDB reports a stream to be at, as VersionConflictError states it. */
export function describeCurrentRevision(current: CurrentRevision | null | undefined): string {
  if (current === null || current === undefined || current === NO_STREAM) return 'no-stream';
  return current.toString();
}

/** The revision the first of `count` events appended with `expected` gets, when it is known in advance. */
export function firstRevisionOf(expected: ExpectedRevision): bigint | null {
  if (expected === 'no-stream') return 0n;
  if (expected === 'any') return null;
  return expected + 1n;
}

/** Whether a stream whose last event has `current` (null: none) satisfies `expected`. */
export function satisfiesExpectedRevision(expected: ExpectedRevision, current: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return current === null;
  return current === expected;
}
