import { SCIM_CLOUD_EVENT_TYPES, type ScimCloudEventType } from '#kafka/scim-cloud-event.js';
import { isKnownEvent, type KnownScimEvent, type ScimEvent } from './scim-event.contract.js';

/**
 * The example keeps its own copy of the Kafka contract, so nothing but this check ties it to what the gateway
 * publishes. Compile-time: each alias below is `true` only when the two lists of types agree, and otherwise the
 * types that differ, so `npm run typecheck` fails naming them (test/event-exhaustiveness.unit.spec.ts shows it).
 */
type PublishedButUnknown = Exclude<ScimCloudEventType, KnownScimEvent['type']>;
type KnownButNotPublished = Exclude<KnownScimEvent['type'], ScimCloudEventType>;
const exampleKnowsEveryPublishedType: [PublishedButUnknown] extends [never] ? true : PublishedButUnknown = true;
const examplePublishedTypesOnly: [KnownButNotPublished] extends [never] ? true : KnownButNotPublished = true;

function eventOfType(type: string): ScimEvent {
  return {
    specversion: '1.0',
    id: `event-${type}`,
    source: '/tenants/t',
    type,
    subject: 'r1',
    time: '2026-01-01T00:00:00.000Z',
    tenantid: 't',
    data: { resource: null, change: null, revision: 0, position: '1:1' },
  };
}

describe("the example subscriber's copy of the Kafka contract", () => {
  it('knows every event type the gateway publishes, and no other', () => {
    expect([exampleKnowsEveryPublishedType, examplePublishedTypesOnly]).toEqual([true, true]);
    expect(SCIM_CLOUD_EVENT_TYPES.filter((type) => !isKnownEvent(eventOfType(type)))).toEqual([]);
    expect(isKnownEvent(eventOfType('scim.user.promoted'))).toBe(false);
  });
});
