import type { EventData, JSONType, Position, RecordedEvent as VendorRecordedEvent } from '@eventstore/db-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-store.port.js';
import { toGlobalPosition } from './eventstoredb.positions.js';

/**
 * Our events as EventStoreDB events and back. Data and metadata are JSON (content type application/json), so the
 * server's UI, its projections and any other client read them as they are. The metadata is our EventMetadata
 * plus two keys this codec owns: `schemaVersion` (the port keeps it beside the type, EventStoreDB has no field
 * for it) and `$correlationId` (EventStoreDB's own convention, which its $by_correlation_id projection follows).
 */

const SCHEMA_VERSION = 'schemaVersion';
const VENDOR_CORRELATION_ID = '$correlationId';

export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
  constructor(streamName: string, eventId: string, reason: string) {
    super(`event ${eventId} in stream ${streamName} is not a gateway event (${reason}); is another application writing to this EventStoreDB?`);
  }
}

export function toEventData(event: NewEvent): EventData {
  if (event.data === undefined) throw new Error(`event ${event.id} of type ${event.type} has no data`);
  const metadata: Record<string, unknown> = { ...event.metadata, [SCHEMA_VERSION]: event.schemaVersion };
  if (event.metadata.correlationId !== null) metadata[VENDOR_CORRELATION_ID] = event.metadata.correlationId;
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // The client JSON.stringify-s data of this content type whatever it is; JSONType is narrower than JSON.
    data: event.data as JSONType,
    metadata,
  };
}

/**
 * One of our events as read from a stream or from $all. `position` is the event's own (server 22.10 and later
 * return it on stream reads too); a read that lacks it cannot honour the port, so it is refused loudly.
 */
export function fromVendorEvent(event: VendorRecordedEvent): RecordedEvent {
  if (!event.isJson) throw new UndecodableEventError(event.streamId, event.id, 'its content type is not application/json');
  const metadata = event.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata instanceof Uint8Array) {
    throw new UndecodableEventError(event.streamId, event.id, 'its metadata is not a JSON object');
  }
  const { [SCHEMA_VERSION]: schemaVersion, [VENDOR_CORRELATION_ID]: _vendorCorrelationId, ...ours } = metadata as Record<string, unknown>;
  if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion)) {
    throw new UndecodableEventError(event.streamId, event.id, 'its metadata has no integer schemaVersion');
  }
  if (typeof ours['tenantId'] !== 'string' || typeof ours['occurredAt'] !== 'string') {
    throw new UndecodableEventError(event.streamId, event.id, 'its metadata has no tenantId and occurredAt');
  }
  return {
    id: event.id,
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata: ours as unknown as EventMetadata,
    streamName: event.streamId,
    revision: event.revision,
    position: requirePosition(event.position, event.streamId, event.id),
    recordedAt: event.created,
  };
}

function requirePosition(position: Position | undefined, streamName: string, eventId: string) {
  if (!position) {
    throw new Error(`EventStoreDB returned event ${eventId} of ${streamName} without its position: the adapter needs server 22.10 or later`);
  }
  return toGlobalPosition(position);
}
