import type { EventMetadata } from '../event-store.port.js';
import { canonicalJson, chainedMetadata, eventHash, hashInput, type HashableEvent } from './event-hash.js';

const METADATA: EventMetadata = {
  tenantId: 'acme',
  tokenId: 'tok-1',
  requestId: 'req-1',
  correlationId: null,
  sourceIp: '10.0.0.1',
  userAgent: 'Okta SCIM',
  occurredAt: '2025-01-01T00:00:00.000Z',
  previousHash: null,
};

const EVENT: HashableEvent = {
  streamName: 'acme.user-11111111-1111-4111-8111-111111111111',
  revision: 0n,
  id: '22222222-2222-4222-8222-222222222222',
  type: 'UserCreated',
  schemaVersion: 1,
  data: {
    userId: '11111111-1111-4111-8111-111111111111',
    attributes: { userName: 'ann', schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] },
    at: '2025-01-01T00:00:00.000Z',
  },
  metadata: METADATA,
};

// Written out by hand (docs/audit-format.md), hashed with `printf '%s' "$CANONICAL" | sha256sum`.
const CANONICAL =
  '{"data":{"at":"2025-01-01T00:00:00.000Z","attributes":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann"},' +
  '"userId":"11111111-1111-4111-8111-111111111111"},"id":"22222222-2222-4222-8222-222222222222",' +
  '"metadata":{"correlationId":null,"occurredAt":"2025-01-01T00:00:00.000Z","previousHash":null,"requestId":"req-1",' +
  '"sourceIp":"10.0.0.1","tenantId":"acme","tokenId":"tok-1","userAgent":"Okta SCIM"},"revision":"0","schemaVersion":1,' +
  '"streamName":"acme.user-11111111-1111-4111-8111-111111111111","type":"UserCreated"}';
const KNOWN_HASH = '2a468adc1c7c4fcfadb48b2288ca459cd4b1c03e2ca9a38d36c7eb29cc305037';

describe('canonicalJson', () => {
  it('sorts keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":2,"d":1}]}');
  });

  it('sorts keys by UTF-16 code units (RFC 8785), not by locale', () => {
    expect(canonicalJson({ b: 1, a: 2, B: 3, é: 4, '10': 5, '9': 6 })).toBe('{"10":5,"9":6,"B":3,"a":2,"b":1,"é":4}');
  });

  it('follows JSON.stringify for what a store would drop or change', () => {
    expect(canonicalJson({ gone: undefined, f: () => 1, list: [undefined, NaN, Infinity, -0], when: new Date('2025-01-01T00:00:00Z') })).toBe(
      '{"list":[null,null,null,0],"when":"2025-01-01T00:00:00.000Z"}',
    );
  });

  it('writes holes in arrays as null', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson([, 1])).toBe(JSON.stringify([, 1]));
  });

  it('writes bigint as a decimal string and escapes strings as JSON does', () => {
    expect(canonicalJson({ n: 12345678901234567890n, s: 'a"b\\c\n\u0001é😀' })).toBe('{"n":"12345678901234567890","s":"a\\"b\\\\c\\n\\u0001é😀"}');
  });

  it('gives the same text after a round trip through JSON with keys in another order', () => {
    const value = { z: { y: [1, 2.5, 'x', true, null], x: {} }, a: -1e-7 };
    const reordered = JSON.parse(JSON.stringify({ a: value.a, z: { x: {}, y: value.z.y } }));
    expect(canonicalJson(reordered)).toBe(canonicalJson(value));
  });
});

describe('eventHash', () => {
  it('hashes the canonical JSON of the event: a fixed known vector', () => {
    expect(canonicalJson(hashInput(EVENT))).toBe(CANONICAL);
    expect(eventHash(EVENT)).toBe(KNOWN_HASH);
  });

  it('leaves the event’s own hash out, and lower-cases the id as the stores keep it', () => {
    expect(eventHash({ ...EVENT, metadata: { ...METADATA, hash: 'whatever' } })).toBe(KNOWN_HASH);
    expect(eventHash({ ...EVENT, id: EVENT.id.toUpperCase() })).toBe(KNOWN_HASH);
  });

  it('changes with every covered field', () => {
    const variants: HashableEvent[] = [
      { ...EVENT, streamName: 'acme.user-other' },
      { ...EVENT, revision: 1n },
      { ...EVENT, id: '33333333-3333-4333-8333-333333333333' },
      { ...EVENT, type: 'UserUpdated' },
      { ...EVENT, schemaVersion: 2 },
      { ...EVENT, data: { ...(EVENT.data as object), at: '2025-01-01T00:00:00.001Z' } },
      { ...EVENT, metadata: { ...METADATA, previousHash: 'a'.repeat(64) } },
      { ...EVENT, metadata: { ...METADATA, sourceIp: '10.0.0.2' } },
    ];
    const hashes = new Set(variants.map(eventHash));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(KNOWN_HASH)).toBe(false);
  });
});

describe('chainedMetadata', () => {
  it('adds previousHash and the hash over it, replacing any the metadata carried', () => {
    const { previousHash: _none, ...plain } = METADATA;
    const chained = chainedMetadata({ ...EVENT, metadata: { ...plain, hash: 'stale', previousHash: 'stale' } }, null);
    expect(chained).toEqual({ ...METADATA, hash: KNOWN_HASH });
    const next = chainedMetadata({ ...EVENT, revision: 1n, metadata: plain }, chained.hash);
    expect(next.previousHash).toBe(KNOWN_HASH);
    expect(next.hash).toBe(eventHash({ ...EVENT, revision: 1n, metadata: next }));
  });
});
