import { describe, expect, it } from '@jest/globals';
import { comparePositions, type EventMetadata, type EventStore, type ReadAllOptions, type RecordedEvent } from '../event-store.port.js';
import { verifyTenantChains } from './chain-verifier.js';
import { chainedMetadata, eventHash } from './event-hash.js';
import { testEventMetadata } from '#testing/event-metadata.js';

const METADATA = testEventMetadata('acme', '2025-01-01T00:00:00.000Z');

let sequence = 0;
function id(): string {
  return `00000000-0000-4000-8000-${(++sequence).toString(16).padStart(12, '0')}`;
}

/** A stream of `count` correctly chained events. */
function chain(streamName: string, count: number, metadataAt: (revision: bigint) => EventMetadata = () => METADATA): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let previous: string | null = null;
  for (let revision = 0n; revision < BigInt(count); revision++) {
    const base = { streamName, revision, id: id(), type: 'Thing', schemaVersion: 1, data: { n: Number(revision) }, metadata: metadataAt(revision) };
    const metadata = chainedMetadata(base, previous);
    previous = metadata.hash;
    events.push({ ...base, metadata, position: { commit: 0n, prepare: 0n }, recordedAt: new Date('2025-01-01T00:00:00Z') });
  }
  return events;
}

/** A store whose log is these events in this order (positions assigned in order). */
function logOf(events: readonly RecordedEvent[]): EventStore & { readonly reads: ReadAllOptions[] } {
  const log = events.map((event, index) => ({ ...event, position: { commit: BigInt(index), prepare: BigInt(index) } }));
  const reads: ReadAllOptions[] = [];
  return {
    reads,
    async readAll(options: ReadAllOptions) {
      reads.push(options);
      return log
        .filter((event) => comparePositions(event.position, options.after) > 0)
        .filter((event) => !options.streamPrefixes || options.streamPrefixes.some((prefix) => event.streamName.startsWith(prefix)))
        .slice(0, options.maxCount);
    },
  } as unknown as EventStore & { readonly reads: ReadAllOptions[] };
}

describe('verifyTenantChains', () => {
  it('passes intact chains, reading the tenant page by page with its prefix (dot included)', async () => {
    const a = chain('acme.user-a', 3);
    const b = chain('acme.group-b', 2);
    const store = logOf([a[0], b[0], a[1], b[1], a[2], ...chain('acme2.user-a', 2)]);
    const verification = await verifyTenantChains(store, 'acme', { pageSize: 2 });
    expect(verification).toEqual({
      tenantId: 'acme',
      eventsChecked: 5,
      streamsChecked: 2,
      ok: true,
      problems: [],
      problemCount: 0,
      problemCounts: { 'hash-mismatch': 0, 'broken-link': 0, 'revision-gap': 0, unchained: 0 },
      lastPosition: '4:4',
    });
    expect(store.reads.every((read) => read.maxCount === 2 && read.streamPrefixes?.join() === 'acme.')).toBe(true);
  });

  it('accepts a stream whose revisions appear out of order in the log (concurrent transactions)', async () => {
    const [e0, e1, e2, e3] = chain('acme.user-a', 4);
    expect(await verifyTenantChains(logOf([e0, e2, e1, e3]), 'acme')).toMatchObject({ ok: true, eventsChecked: 4 });
    expect(await verifyTenantChains(logOf([e3, e2, e1, e0]), 'acme')).toMatchObject({ ok: true, eventsChecked: 4 });
  });

  it('verifies a stream whose older events have no traceparent and whose newer ones have one; a changed traceparent breaks it', async () => {
    // Issue 14 added traceparent/tracestate to the metadata: the hash covers them where present, and an event
    // recorded before them hashes exactly as it did.
    const traced = { ...METADATA, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc' };
    const events = chain('acme.user-a', 4, (revision) => (revision < 2n ? METADATA : traced));
    expect(events[0].metadata).not.toHaveProperty('traceparent');
    expect(events[3].metadata.traceparent).toBe(traced.traceparent);
    expect(await verifyTenantChains(logOf(events), 'acme')).toMatchObject({ ok: true, eventsChecked: 4 });

    events[2] = { ...events[2], metadata: { ...events[2].metadata, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01' } };
    const verification = await verifyTenantChains(logOf(events), 'acme');
    expect(verification.problems.map(({ kind, revision }) => ({ kind, revision }))).toEqual([{ kind: 'hash-mismatch', revision: '2' }, { kind: 'broken-link', revision: '3' }]);
  });

  it('reports a changed event as a hash mismatch, and the link after it as broken', async () => {
    const events = chain('acme.user-a', 4);
    events[1] = { ...events[1], data: { n: 99 } };
    const verification = await verifyTenantChains(logOf(events), 'acme');
    expect(verification.problems.map(({ kind, revision, eventId }) => ({ kind, revision, eventId }))).toEqual([
      { kind: 'hash-mismatch', revision: '1', eventId: events[1].id },
      { kind: 'broken-link', revision: '2', eventId: events[2].id },
    ]);
  });

  it('reports a changed event whose own hash was recomputed too as a broken link after it', async () => {
    const events = chain('acme.user-a', 3);
    const forged = { ...events[1], data: { n: 99 } };
    events[1] = { ...forged, metadata: { ...forged.metadata, hash: eventHash(forged) } };
    const verification = await verifyTenantChains(logOf(events), 'acme');
    expect(verification.problems).toEqual([expect.objectContaining({ kind: 'broken-link', revision: '2' })]);
  });

  it('reports a deleted event as a gap at the event after it, and a deleted first event too', async () => {
    const a = chain('acme.user-a', 5);
    const b = chain('acme.user-b', 3);
    const verification = await verifyTenantChains(logOf([a[0], a[1], a[3], a[4], b[1], b[2]]), 'acme');
    expect(verification.problems).toEqual([
      expect.objectContaining({ streamName: 'acme.user-a', kind: 'revision-gap', revision: '3', detail: 'revision 2 is missing' }),
      expect.objectContaining({ streamName: 'acme.user-b', kind: 'revision-gap', revision: '1', detail: 'revision 0 is missing' }),
    ]);
  });

  it('reports a gap once the events waiting for a missing predecessor exceed the bound, and goes on', async () => {
    const a = chain('acme.user-a', 10);
    const verification = await verifyTenantChains(logOf([a[0], ...a.slice(3)]), 'acme', { maxWaitingPerStream: 2 });
    expect(verification.problems).toEqual([expect.objectContaining({ kind: 'revision-gap', revision: '3', detail: 'revisions 1 to 2 are missing' })]);
    expect(verification.eventsChecked).toBe(8);
  });

  it('reports a first event that claims a predecessor, and events without a hash', async () => {
    const [first, second] = chain('acme.user-a', 2);
    const claimed = { ...first, metadata: chainedMetadata(first, 'f'.repeat(64)) };
    const { hash: _h, previousHash: _p, ...plain } = second.metadata;
    const verification = await verifyTenantChains(logOf([claimed, { ...second, metadata: plain }]), 'acme');
    expect(verification.problems.map((problem) => problem.kind)).toEqual(['broken-link', 'unchained']);
  });

  it('lists the first problems only, and counts them all', async () => {
    const events = chain('acme.user-a', 30).map((event) => ({ ...event, data: { n: -1 } }));
    const verification = await verifyTenantChains(logOf(events), 'acme', { maxProblems: 5 });
    expect(verification.problems).toHaveLength(5);
    expect(verification.problemCount).toBe(59);
    expect(verification.problemCounts).toMatchObject({ 'hash-mismatch': 30, 'broken-link': 29 });
  });
});
