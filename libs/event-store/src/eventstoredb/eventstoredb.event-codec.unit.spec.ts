import { describe, expect, it } from '@jest/globals';
import type { JSONRecordedEvent, RecordedEvent as VendorRecordedEvent } from '@eventstore/db-client';
import type { EventMetadata, NewEvent } from '../event-store.port.js';
import { fromVendorEvent, toEventData, UndecodableEventError } from './eventstoredb.event-codec.js';

const METADATA: EventMetadata = {
  tenantId: 'contoso',
  tokenId: 'tok-1',
  requestId: 'req-1',
  correlationId: 'corr-1',
  sourceIp: '203.0.113.7',
  userAgent: 'Microsoft.Identity.Provisioning',
  occurredAt: '2025-03-04T05:06:07.089Z',
};

const NEW_EVENT: NewEvent = {
  id: '5b0c6c5e-7d0a-4f3e-9d57-36f5a1f2b001',
  type: 'UserCreated',
  schemaVersion: 2,
  data: { userName: 'ann@contoso.com' },
  metadata: METADATA,
};

/** What the server gives back for an event the client wrote from `data` (JSON text round trip included). */
function asStored(data: ReturnType<typeof toEventData>, overrides: Partial<JSONRecordedEvent> = {}): VendorRecordedEvent {
  return {
    streamId: 'contoso.user-1',
    id: data.id,
    isJson: true,
    revision: 3n,
    type: data.type,
    created: new Date('2025-03-04T05:06:07.500Z'),
    data: JSON.parse(JSON.stringify(data.data)),
    metadata: JSON.parse(JSON.stringify(data.metadata)),
    position: { commit: 1_234n, prepare: 1_234n },
    ...overrides,
  } as VendorRecordedEvent;
}

describe('toEventData', () => {
  it('writes JSON data and our metadata with schemaVersion and EventStoreDB\'s $correlationId', () => {
    const data = toEventData(NEW_EVENT);
    expect(data).toMatchObject({ id: NEW_EVENT.id, contentType: 'application/json', type: 'UserCreated', data: NEW_EVENT.data });
    expect(data.metadata).toEqual({ ...METADATA, schemaVersion: 2, $correlationId: 'corr-1' });
  });

  it('leaves $correlationId out when there is none', () => {
    expect(toEventData({ ...NEW_EVENT, metadata: { ...METADATA, correlationId: null } }).metadata).not.toHaveProperty('$correlationId');
  });

  it('refuses an event without data', () => {
    expect(() => toEventData({ ...NEW_EVENT, data: undefined })).toThrow('no data');
  });
});

describe('fromVendorEvent', () => {
  it.each([{ nested: [1, null, 'x'] }, ['a', 2], 'text', 42, null, true])('round-trips data %j and the metadata exactly', (value) => {
    const event = { ...NEW_EVENT, data: value };
    const recorded = fromVendorEvent(asStored(toEventData(event)));
    expect(recorded).toEqual({
      ...event,
      streamName: 'contoso.user-1',
      revision: 3n,
      position: { commit: 1_234n, prepare: 1_234n },
      recordedAt: new Date('2025-03-04T05:06:07.500Z'),
    });
  });

  it.each([
    ['binary content', { isJson: false }, 'content type'],
    ['no metadata', { metadata: undefined }, 'metadata is not a JSON object'],
    ['metadata that is an array', { metadata: [1] }, 'metadata is not a JSON object'],
    ['no schemaVersion', { metadata: { ...METADATA } }, 'schemaVersion'],
    ['no tenant', { metadata: { schemaVersion: 1, occurredAt: 'x' } }, 'tenantId'],
  ])('refuses an event with %s, naming it', (_what, overrides, reason) => {
    const decode = () => fromVendorEvent(asStored(toEventData(NEW_EVENT), overrides as Partial<JSONRecordedEvent>));
    expect(decode).toThrow(UndecodableEventError);
    expect(decode).toThrow(reason);
    expect(decode).toThrow(NEW_EVENT.id);
  });

  it('refuses an event read without its position (servers before 22.10)', () => {
    expect(() => fromVendorEvent(asStored(toEventData(NEW_EVENT), { position: undefined }))).toThrow('22.10');
  });
});
