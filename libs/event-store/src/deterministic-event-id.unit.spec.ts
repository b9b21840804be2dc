import { describe, expect, it } from '@jest/globals';
import { compensationEventId, deterministicEventId, uuidV5 } from './deterministic-event-id.js';

const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV5 (RFC 9562 §5.5)', () => {
  it.each([
    // Reference values from Python's uuid.uuid5, which implements the RFC.
    [NAMESPACE_DNS, 'www.example.com', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    [NAMESPACE_URL, 'https://example.com/a', '6639460f-3425-5329-8097-a58f06127860'],
  ])('uuid5(%s, %s) = %s', (namespace, name, expected) => {
    expect(uuidV5(namespace, name)).toBe(expected);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow('not a UUID');
  });
});

describe('deterministicEventId', () => {
  const scope = { commandId: '9b2f4c1e-0d6a-4e8b-a3c5-7f1e2d3c4b5a', attempt: 1, streamName: 'tenant-a.user-42', index: 0 };

  it('is a version 5 UUID and the same for the same scope', () => {
    expect(deterministicEventId(scope)).toMatch(UUID_V5);
    expect(deterministicEventId({ ...scope })).toBe(deterministicEventId(scope));
  });

  it.each([
    ['command', { commandId: 'c0ffee00-0d6a-4e8b-a3c5-7f1e2d3c4b5a' }],
    ['attempt', { attempt: 2 }],
    ['stream', { streamName: 'tenant-a.unique-userName-ann' }],
    ['index', { index: 1 }],
  ])('differs when the %s differs', (_what, change) => {
    expect(deterministicEventId({ ...scope, ...change })).not.toBe(deterministicEventId(scope));
  });

  it('cannot be forged by moving text between fields', () => {
    expect(deterministicEventId({ ...scope, commandId: 'a\n1', streamName: 's' })).not.toBe(
      deterministicEventId({ ...scope, commandId: 'a', streamName: '1\ns' }),
    );
  });

  it('refuses a non-positive attempt or a negative index', () => {
    expect(() => deterministicEventId({ ...scope, attempt: 0 })).toThrow(RangeError);
    expect(() => deterministicEventId({ ...scope, index: -1 })).toThrow(RangeError);
  });
});

describe('compensationEventId', () => {
  it('depends on the original event id (in any case) and the index only', () => {
    const original = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    expect(compensationEventId(original, 0)).toMatch(UUID_V5);
    expect(compensationEventId(original.toUpperCase(), 0)).toBe(compensationEventId(original, 0));
    expect(compensationEventId(original, 1)).not.toBe(compensationEventId(original, 0));
    expect(compensationEventId(original, 0)).not.toBe(original);
  });
});
