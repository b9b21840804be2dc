import { hash } from 'node:crypto';
import type { EventMetadata } from '../event-store.port.js';

/**
 * The hash chain of docs/audit-format.md: every event the command loop appends records the SHA-256 of its own
 * content (`metadata.hash`) and the hash of the previous event of its stream (`metadata.previousHash`, null for
 * revision 0), so changing, removing or reordering a stored event shows as a broken chain.
 *
 * Pure: the same inputs give the same hash in every process, on every store, for ever. Changing anything here
 * breaks every recorded chain.
 */

/** The fields a hash covers; a NewEvent about to be appended at `revision` of `streamName`, or a RecordedEvent. */
export interface HashableEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  /** The event's metadata; its own `hash`, if present, is left out of the hash. */
  readonly metadata: EventMetadata;
}

/**
 * Canonical JSON: JSON.stringify's value rules (what survives a round trip through a store's JSON column) with
 * the keys of every object sorted by UTF-16 code units, as RFC 8785 (JCS) sorts them, and no whitespace.
 * - objects with a toJSON method (Date) are written as what it returns; bigint as a decimal string;
 * - object members whose value is undefined, a function or a symbol are left out; in arrays they become null;
 * - non-finite numbers become null; other numbers are written as JavaScript writes them (RFC 8785 §3.2.2.3).
 */
export function canonicalJson(value: unknown): string {
  const text = write(value, true);
  if (text === undefined) throw new TypeError('canonicalJson: the value itself is undefined, a function or a symbol');
  return text;
}

function write(value: unknown, inArray: boolean): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return inArray ? 'null' : undefined;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return writeArray(value);
      return writeObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonicalJson: cannot write a ${typeof value}`);
  }
}

// Built by concatenation (no intermediate arrays): every appended event is hashed, on the write path.
function writeArray(array: readonly unknown[]): string {
  let text = '[';
  // An index loop visits holes too (as undefined, written null like JSON.stringify); map would skip them.
  for (let index = 0; index < array.length; index++) {
    if (index > 0) text += ',';
    text += write(array[index], true)!;
  }
  return `${text}]`;
}

function writeObject(object: Record<string, unknown>): string {
  let text = '{';
  // Default sort compares UTF-16 code units, which is RFC 8785's order.
  for (const key of Object.keys(object).sort()) {
    const member = write(object[key], false);
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${member}`;
  }
  return `${text}}`;
}

/**
 * The object that is hashed (docs/audit-format.md): revision as a decimal string, the id in lower case (the
 * stores keep UUIDs in lower case), and the metadata without its own `hash` but with `previousHash`.
 */
export function hashInput(event: HashableEvent): Record<string, unknown> {
  const { hash: _ownHash, ...metadata } = event.metadata;
  return {
    streamName: event.streamName,
    revision: event.revision.toString(),
    id: event.id.toLowerCase(),
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata,
  };
}

/** SHA-256 (lower-case hex) of the canonical JSON of hashInput(event), UTF-8 encoded. */
export function eventHash(event: HashableEvent): string {
  return hash('sha256', canonicalJson(hashInput(event)), 'hex');
}

/**
 * The metadata to append an event with at `revision`: the caller's metadata (any hash fields it carried are
 * replaced) with `previousHash` and the resulting `hash`.
 */
export function chainedMetadata(
  event: HashableEvent,
  previousHash: string | null,
): EventMetadata & { readonly previousHash: string | null; readonly hash: string } {
  const { hash: _hash, previousHash: _previousHash, ...rest } = event.metadata;
  const metadata = { ...rest, previousHash };
  return { ...metadata, hash: eventHash({ ...event, metadata }) };
}
