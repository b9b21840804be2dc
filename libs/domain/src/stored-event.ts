/** A decoded event: the shape of decider.ts's DomainEvent (not imported, so decider.ts can import this module). */
type DomainEvent = { readonly type: string; readonly data: unknown };

/**
 * What a decoder needs of an event as the store hands it back (libs/event-store's RecordedEvent has these fields
 * and more); libs/domain stays free of the store.
 */
export interface StoredEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/** Turns one schema version's data of an event type into the next version's. */
export type Upcaster = (data: unknown) => unknown;

/**
 * The schema versions of one event type: `upcasters[n - 1]` turns version n into version n + 1, so the current
 * version (the one the event's TypeScript type describes) is `upcasters.length + 1`. A new version of an event
 * adds one upcaster here; nothing else reads old versions.
 */
export interface EventVersions {
  readonly upcasters: readonly Upcaster[];
}

/** Every event type of one aggregate with its versions: keyed by the union's `type`, so none can be missing. */
export type EventCatalogue<Event extends DomainEvent> = { readonly [Type in Event['type']]: EventVersions };

/** Every version-1 event type so far: nothing to upgrade. */
export const FIRST_VERSION: EventVersions = Object.freeze({ upcasters: Object.freeze([]) });

/** The catalogue's event types, in its order (for store filters such as readAll's eventTypes). */
export function eventTypesOf<Event extends DomainEvent>(catalogue: EventCatalogue<Event>): readonly Event['type'][] {
  return Object.freeze(Object.keys(catalogue) as Event['type'][]);
}

/**
 * The one place a stored event becomes a typed domain event: null when its type is not in the catalogue (not
 * this aggregate's), its data upgraded to the current version otherwise. A version newer than the catalogue
 * knows (written by a newer gateway) or not a version at all is refused rather than misread.
 */
export function decodeWith<Event extends DomainEvent>(catalogue: EventCatalogue<Event>, stored: StoredEvent): Event | null {
  if (!Object.hasOwn(catalogue, stored.type)) return null;
  const { upcasters } = catalogue[stored.type as Event['type']];
  const version = stored.schemaVersion;
  const current = upcasters.length + 1;
  if (!Number.isInteger(version) || version < 1 || version > current) {
    throw new RangeError(`${stored.type} has schema version ${String(version)}; this code reads versions 1 to ${current}`);
  }
  const data = upcasters.slice(version - 1).reduce((older, upcast) => upcast(older), stored.data);
  // The type is the catalogue's and the data is at the version that type describes: the event is what it says.
  return { type: stored.type, data } as Event;
}

/**
 * For a reader that only gets one aggregate's events (its stream, or a log read filtered by its types): an event
 * its decoder did not know means a foreign stream or a bug, never something to skip.
 */
export function foreignEvent(stored: StoredEvent & { readonly streamName?: string }, expected: string): never {
  const where = stored.streamName === undefined ? '' : ` in ${stored.streamName}`;
  throw new Error(`${stored.type}${where} is not ${expected}`);
}
