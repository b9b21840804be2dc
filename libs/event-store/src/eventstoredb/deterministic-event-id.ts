import { createHash } from 'node:crypto';

/**
 * Event ids that are a function of what the event is for, so that sending the same append again stores it once.
 *
 * EventStoreDB recognises a repeated append by its event ids (with an exact or no-stream expected revision), and
 * the Postgres adapter by its unique key on event_id; either way a retry must carry the ids of the first try.
 * Random ids (randomUUID) are only safe as long as the very same NewEvent objects are re-sent.
 */

/** Our own UUID namespace (RFC 9562 §5.5): fixed for ever, or every deterministic id changes. */
export const SCIM_GATEWAY_EVENT_NAMESPACE = '0f5c6f3e-8a52-4d8e-9a59-1f2c3b4d5e6f';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 §5.5 (formerly RFC 4122 §4.3): SHA-1 of the namespace's 16 bytes and the name's UTF-8 bytes. */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID.test(namespace)) throw new Error(`UUID namespace "${namespace}" is not a UUID`);
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10xx
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface EventIdScope {
  /** The request that caused the command (EventMetadata.requestId). */
  readonly requestId: string;
  /**
   * The command loop's attempt (1, 2, ...). Part of the id because an attempt that was refused and compensated
   * leaves its events in EventStoreDB's log: the next attempt must not reuse their ids, or a consumer that
   * de-duplicates by id (Kafka's, DESIGN.md "Kafka") would drop the events that count.
   */
  readonly attempt: number;
  readonly streamName: string;
  /** The event's index within this stream's append (0, 1, ...). */
  readonly index: number;
}

/** The id of the `index`-th event a command's `attempt` appends to `streamName`. */
export function deterministicEventId(scope: EventIdScope): string {
  if (!Number.isInteger(scope.attempt) || scope.attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${scope.attempt}`);
  if (!Number.isInteger(scope.index) || scope.index < 0) throw new RangeError(`index must be a non-negative integer, got ${scope.index}`);
  // Newline-separated: no stream name or request id of ours contains a newline, so two scopes never share a name.
  return uuidV5(SCIM_GATEWAY_EVENT_NAMESPACE, `event\n${scope.requestId}\n${scope.attempt}\n${scope.streamName}\n${scope.index}`);
}

/** The id of the `index`-th compensating event for the append whose first event is `originalEventId`. */
export function compensationEventId(originalEventId: string, index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
  return uuidV5(SCIM_GATEWAY_EVENT_NAMESPACE, `compensation\n${originalEventId.toLowerCase()}\n${index}`);
}
