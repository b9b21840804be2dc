import { randomUUID } from 'node:crypto';
import { startEmbeddedPostgres } from '#postgres/embedded/pglite.server.js';
import { VersionConflictError } from './event-store.errors.js';
import { START, type EventMetadata, type NewEvent } from './event-store.port.js';
import { PostgresEventStore } from './postgres/postgres.event-store.js';
import { StagingEventStore } from './staging.event-store.js';

const METADATA: EventMetadata = {
  tenantId: 't',
  tokenId: null,
  requestId: null,
  correlationId: null,
  sourceIp: null,
  userAgent: null,
  occurredAt: '2025-01-01T00:00:00.000Z',
};

function event(n: number): NewEvent {
  return { id: randomUUID(), type: 'ThingHappened', schemaVersion: 1, data: { n }, metadata: METADATA };
}

describe('StagingEventStore (dry-run overlay) over a real store', () => {
  let database: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  let real: PostgresEventStore;

  beforeAll(async () => {
    database = await startEmbeddedPostgres({ maxConnections: 6 });
    real = await PostgresEventStore.create(database.connectionString, { poolSize: 2 });
  });

  afterAll(async () => {
    await real.close();
    await database.stop();
  });

  it('reads the real stream followed by what it staged, and never writes to the real store', async () => {
    await real.appendToStream({ streamName: 's-1', expectedRevision: 'no-stream', events: [event(1), event(2)] });
    const headBefore = await real.headPosition();
    const staging = new StagingEventStore(real);

    const result = await staging.appendToStream({ streamName: 's-1', expectedRevision: 1n, events: [event(3)] });
    await staging.appendToStream({ streamName: 'new-stream', expectedRevision: 'no-stream', events: [event(10)] });

    expect(result.nextRevision).toBe(2n);
    expect((await staging.readStream('s-1')).map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3]);
    expect((await staging.readStream('s-1', 2n)).map((e) => e.revision)).toEqual([2n]);
    expect((await staging.readStream('new-stream')).map((e) => e.revision)).toEqual([0n]);
    expect(staging.stagedEvents().map((e) => (e.data as { n: number }).n)).toEqual([3, 10]);

    expect((await real.readStream('s-1')).map((e) => e.revision)).toEqual([0n, 1n]);
    expect(await real.readStream('new-stream')).toEqual([]);
    expect(await real.headPosition()).toEqual(headBefore);
    expect((await staging.readAll({ after: START, maxCount: 100 })).some((e) => e.streamName === 'new-stream')).toBe(false);
  });

  it('checks expected revisions against real plus staged events, all or nothing', async () => {
    await real.appendToStream({ streamName: 's-2', expectedRevision: 'no-stream', events: [event(1)] });
    const staging = new StagingEventStore(real);
    await expect(staging.appendToStream({ streamName: 's-2', expectedRevision: 'no-stream', events: [event(2)] })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    await staging.appendToStream({ streamName: 's-2', expectedRevision: 0n, events: [event(2)] });
    // The staged event moved the stream to revision 1: expecting 0 again conflicts, and the other stream is untouched.
    await expect(
      staging.appendToStreams([
        { streamName: 'other', expectedRevision: 'no-stream', events: [event(3)] },
        { streamName: 's-2', expectedRevision: 0n, events: [event(4)] },
      ]),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await staging.readStream('other')).toEqual([]);
  });

  it('checks conditions against real plus staged events, and stages nothing when one fails', async () => {
    await real.appendToStream({ streamName: 'c-user', expectedRevision: 'no-stream', events: [event(1)] });
    await real.appendToStream({ streamName: 'c-group', expectedRevision: 'no-stream', events: [event(2)] });
    const staging = new StagingEventStore(real);
    const results = await staging.appendToStreams(
      [{ streamName: 'c-group', expectedRevision: 0n, events: [event(3)] }],
      [{ streamName: 'c-user', revision: 0n }],
    );
    expect(results.map((result) => result.nextRevision)).toEqual([1n]);
    expect(staging.stagedEvents().map((e) => e.streamName)).toEqual(['c-group']);

    // A staged append moves the condition stream for this dry run (and only for it).
    await staging.appendToStream({ streamName: 'c-user', expectedRevision: 0n, events: [event(4)] });
    const attempt = staging.appendToStreams(
      [
        { streamName: 'c-other', expectedRevision: 'no-stream', events: [event(5)] },
        { streamName: 'c-group', expectedRevision: 1n, events: [event(6)] },
      ],
      [{ streamName: 'c-user', revision: 0n }],
    );
    await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    await expect(attempt).rejects.toMatchObject({ streamName: 'c-user', expected: '0', actual: '1' });
    await expect(
      staging.appendToStreams([{ streamName: 'c-other', expectedRevision: 'no-stream', events: [event(5)] }], [{ streamName: 'c-missing', revision: 0n }]),
    ).rejects.toMatchObject({ name: 'VersionConflictError', streamName: 'c-missing', actual: 'no-stream' });
    expect(await staging.readStream('c-other')).toEqual([]);
    expect((await staging.readStream('c-group')).map((e) => e.revision)).toEqual([0n, 1n]);

    await expect(
      staging.appendToStreams([{ streamName: 'c-other', expectedRevision: 'no-stream', events: [event(5)] }], [{ streamName: 'c-other', revision: 0n }]),
    ).rejects.toThrow('both appended to and a condition');
    expect(await staging.appendToStreams([], [{ streamName: 'c-missing', revision: 7n }])).toEqual([]);
    expect((await real.readStream('c-group')).map((e) => e.revision)).toEqual([0n]);
  });

  it('a real append made after staging is shadowed, not mixed in', async () => {
    await real.appendToStream({ streamName: 's-3', expectedRevision: 'no-stream', events: [event(1)] });
    const staging = new StagingEventStore(real);
    await staging.appendToStream({ streamName: 's-3', expectedRevision: 0n, events: [event(2)] });
    await real.appendToStream({ streamName: 's-3', expectedRevision: 0n, events: [event(99)] });
    expect((await staging.readStream('s-3')).map((e) => (e.data as { n: number }).n)).toEqual([1, 2]);
  });
});
