import { UniquenessError } from '#scim/scim-error.js';
import { assertNever, type Decider, type DomainEvent } from '../decider.js';
import { decodeWith, eventTypesOf, FIRST_VERSION, type EventCatalogue, type StoredEvent } from '../stored-event.js';

/**
 * A unique key (a user's userName, an externalId, a group's displayName) is a tiny aggregate of its own: one
 * reservation stream per key and tenant. The read model lags, so uniqueness is decided here, on the write
 * side (DESIGN.md "Uniqueness is decided on the write side"). Appending with the stream's expected revision
 * makes two concurrent reservations of one key conflict; the loser re-reads and gets 409 uniqueness.
 */
export type UniqueKeyKind = 'userName' | 'userExternalId' | 'groupDisplayName' | 'groupExternalId';

export type UniqueKeyReserved = DomainEvent<'UniqueKeyReserved', { readonly kind: UniqueKeyKind; readonly key: string; readonly ownerId: string; readonly at: string }>;
export type UniqueKeyReleased = DomainEvent<'UniqueKeyReleased', { readonly kind: UniqueKeyKind; readonly key: string; readonly ownerId: string; readonly at: string }>;
export type UniqueKeyEvent = UniqueKeyReserved | UniqueKeyReleased;

/** Every reservation event type and its schema versions (stored-event.ts). */
const UNIQUE_KEY_EVENTS = {
  UniqueKeyReserved: FIRST_VERSION,
  UniqueKeyReleased: FIRST_VERSION,
} as const satisfies EventCatalogue<UniqueKeyEvent>;

export const UNIQUE_KEY_EVENT_TYPES = eventTypesOf<UniqueKeyEvent>(UNIQUE_KEY_EVENTS);

/** A stored event as a UniqueKeyEvent at its current schema version; null when it is not a reservation event. */
export function decodeUniqueKeyEvent(stored: StoredEvent): UniqueKeyEvent | null {
  return decodeWith<UniqueKeyEvent>(UNIQUE_KEY_EVENTS, stored);
}

export type UniqueKeyState = { readonly ownerId: string | null };

export type UniqueKeyCommand =
  | { readonly type: 'ReserveUniqueKey'; readonly kind: UniqueKeyKind; readonly key: string; readonly ownerId: string; readonly at: string }
  | { readonly type: 'ReleaseUniqueKey'; readonly kind: UniqueKeyKind; readonly key: string; readonly ownerId: string; readonly at: string };

const DESCRIPTIONS: Record<UniqueKeyKind, string> = {
  userName: 'userName',
  userExternalId: 'externalId',
  groupDisplayName: 'displayName',
  groupExternalId: 'externalId',
};

/**
 * How a key is compared. userName is caseExact false (RFC 7643 §4.1.1), so "Ann" and "ANN" are one key;
 * externalId is caseExact true (RFC 7643 §3.1); Entra matches groups by displayName case-insensitively.
 */
export function normaliseUniqueKey(kind: UniqueKeyKind, value: string): string {
  return kind === 'userExternalId' || kind === 'groupExternalId' ? value : value.toLowerCase();
}

export const uniqueKeyDecider: Decider<UniqueKeyCommand, UniqueKeyEvent, UniqueKeyState> = {
  initialState: { ownerId: null },
  decode: decodeUniqueKeyEvent,

  decide(command, state) {
    switch (command.type) {
      case 'ReserveUniqueKey':
        if (state.ownerId === command.ownerId) return [];
        if (state.ownerId !== null) {
          throw new UniquenessError(`${DESCRIPTIONS[command.kind]} "${command.key}" is already in use by another resource`);
        }
        return [{ type: 'UniqueKeyReserved', data: { kind: command.kind, key: command.key, ownerId: command.ownerId, at: command.at } }];
      case 'ReleaseUniqueKey':
        // Only the owner releases; releasing a key someone else took since is a no-op, not an error.
        if (state.ownerId !== command.ownerId) return [];
        return [{ type: 'UniqueKeyReleased', data: { kind: command.kind, key: command.key, ownerId: command.ownerId, at: command.at } }];
      default:
        return assertNever(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UniqueKeyReserved':
        return { ownerId: event.data.ownerId };
      case 'UniqueKeyReleased':
        return { ownerId: null };
      default:
        return assertNever(event);
    }
  },
};

/**
 * What undoes a reservation when the rest of its command could not be stored (the EventStoreDB adapter appends
 * it; PostgreSQL never needs it): the same key released by the same owner, which the decider folds back to free.
 * Releases are never undone: a release that stood alone frees a key nobody can then claim back by mistake.
 */
export function undoUniqueKeyEvents(events: readonly UniqueKeyEvent[]): UniqueKeyEvent[] {
  return events.flatMap((event) => (event.type === 'UniqueKeyReserved' ? [{ type: 'UniqueKeyReleased' as const, data: event.data }] : []));
}
