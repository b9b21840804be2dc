import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@eventstore/db-client';
import type { ReadAllOptions } from '../event-store.port.js';

/** What a reader of the global log wants to see (the filter half of ReadAllOptions). */
export type LogFilter = Pick<ReadAllOptions, 'streamPrefixes' | 'eventTypes'>;

/**
 * EventStoreDB's own events: `$`-typed ($metadata, $>, $statsCollection, $UserCreated...) or in `$`-named
 * streams ($$stream metadata, $ce-/$et- projections, $stats-, $user-...). Never ours: our stream names start with
 * a tenant id and our types with a letter.
 */
export function isSystemEvent(streamName: string, eventType: string): boolean {
  return streamName.startsWith('$') || eventType.startsWith('$');
}

/** The port's filter semantics: every given criterion must hold; prefixes are literal; none given = everything. */
export function matchesLogFilter(streamName: string, eventType: string, filter: LogFilter): boolean {
  if (isSystemEvent(streamName, eventType)) return false;
  const { streamPrefixes, eventTypes } = filter;
  if (eventTypes && eventTypes.length > 0 && !eventTypes.includes(eventType)) return false;
  if (streamPrefixes && streamPrefixes.length > 0 && !streamPrefixes.some((prefix) => streamName.startsWith(prefix))) return false;
  return true;
}

/**
 * The server-side filter for a $all subscription. EventStoreDB filters on one field only (stream name or event
 * type), so it gets the more selective criterion we can express and matchesLogFilter checks the rest on our side:
 * event types when given (an exact-match regex: its prefix filter would let "UserCreatedV2" through for
 * "UserCreated"), else stream prefixes, else just "no system events".
 */
export function serverSideFilter(filter: LogFilter): Filter {
  const { streamPrefixes, eventTypes } = filter;
  if (eventTypes && eventTypes.length > 0) {
    return eventTypeFilter({ regex: `^(?:${eventTypes.map(escapeRegex).join('|')})$` });
  }
  // An empty prefix selects every stream: nothing for the server to filter but system events.
  if (streamPrefixes && streamPrefixes.length > 0 && !streamPrefixes.includes('')) {
    return streamNameFilter({ prefixes: [...streamPrefixes] });
  }
  return excludeSystemEvents();
}

/**
 * Escapes every character .NET's regex engine (the server's) treats as syntax, so a type is matched literally;
 * the same escapes mean the same in JavaScript.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}#\s]/g, (character) => {
    if (character === ' ') return '\\ ';
    if (/\s/.test(character)) return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
    return `\\${character}`;
  });
}
