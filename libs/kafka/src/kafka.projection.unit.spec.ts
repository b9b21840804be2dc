import type { EventMetadata, GlobalPosition, RecordedEvent } from '#event-store/event-store.port.js';
import { START } from '#event-store/event-store.port.js';
import { KafkaProjection } from './kafka.projection.js';
import type { ProjectionCheckpointStore } from './projection-checkpoint.store.js';
import type { ScimKafkaRecord } from './scim-cloud-event.js';
import type { ScimRecordSink } from './scim-event.publisher.js';

const METADATA: EventMetadata = {
  tenantId: 't1',
  tokenId: null,
  requestId: null,
  correlationId: null,
  sourceIp: null,
  userAgent: null,
  occurredAt: '2026-01-01T00:00:00.000Z',
};
const GROUP = 'a7c0c4a2-5b0e-4b43-9a57-3f1c2c6d9e01';
const STREAM = `t1.group-${GROUP}`;
let sequence = 0;

function groupEvent(type: string, revision: bigint, data: Record<string, unknown>): RecordedEvent {
  sequence++;
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    data: { groupId: GROUP, at: METADATA.occurredAt, ...data },
    metadata: METADATA,
    streamName: STREAM,
    revision,
    position: { commit: BigInt(sequence), prepare: BigInt(sequence) },
    recordedAt: new Date(),
  };
}

class FakeSink implements ScimRecordSink {
  readonly published: ScimKafkaRecord[][] = [];
  failNext = false;
  async publish(records: readonly ScimKafkaRecord[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker unavailable');
    }
    this.published.push([...records]);
  }
  async close(): Promise<void> {}
}

class MemoryCheckpoints implements ProjectionCheckpointStore {
  position: GlobalPosition = START;
  async load(): Promise<GlobalPosition> {
    return this.position;
  }
  async save(_projection: string, position: GlobalPosition): Promise<void> {
    this.position = position;
  }
}

function setUp(stream: RecordedEvent[] = []) {
  const sink = new FakeSink();
  const checkpoints = new MemoryCheckpoints();
  const reads: string[] = [];
  const store = {
    async readStream(name: string) {
      reads.push(name);
      return stream.filter((event) => event.streamName === name);
    },
  };
  const projection = new KafkaProjection(sink, checkpoints, store, { name: 'kafka.test' });
  return { sink, checkpoints, reads, projection };
}

describe('KafkaProjection', () => {
  it('publishes a batch as one send and then checkpoints its last position', async () => {
    const { sink, checkpoints, projection } = setUp();
    const created = groupEvent('GroupCreated', 0n, { attributes: { displayName: 'Ops' } });
    const added = groupEvent('GroupMembersAdded', 1n, { members: [{ value: 'u1' }] });
    await projection.apply([created, added], added.position);
    expect(sink.published).toHaveLength(1);
    expect(sink.published[0].map((record) => record.event.type)).toEqual(['scim.group.created', 'scim.group.members_added']);
    expect(sink.published[0][1].event.data.resource).toMatchObject({ displayName: 'Ops' });
    expect(checkpoints.position).toEqual(added.position);
  });

  it('keeps the checkpoint where it was when the broker did not acknowledge', async () => {
    const { sink, checkpoints, projection } = setUp();
    const created = groupEvent('GroupCreated', 0n, { attributes: { displayName: 'Ops' } });
    sink.failNext = true;
    await expect(projection.apply([created], created.position)).rejects.toThrow('broker unavailable');
    expect(checkpoints.position).toEqual(START);
    await projection.apply([created], created.position); // the runner's retry
    expect(checkpoints.position).toEqual(created.position);
  });

  it('gives a membership event the group attributes of an earlier, acknowledged batch without reading the stream', async () => {
    const { sink, reads, projection } = setUp();
    const created = groupEvent('GroupCreated', 0n, { attributes: { displayName: 'Ops' } });
    await projection.apply([created], created.position);
    const removed = groupEvent('GroupMembersRemoved', 1n, { memberIds: ['u1'], reason: 'request' });
    await projection.apply([removed], removed.position);
    expect(sink.published[1][0].event.data.resource).toMatchObject({ displayName: 'Ops', meta: { version: 'W/"1"' } });
    expect(reads).toEqual([]);
  });

  it('after a restart, reads the group stream up to the event, not beyond', async () => {
    const created = groupEvent('GroupCreated', 0n, { attributes: { displayName: 'Ops' } });
    const added = groupEvent('GroupMembersAdded', 1n, { members: [{ value: 'u1' }] });
    const renamed = groupEvent('GroupUpdated', 2n, { changes: [], attributes: { displayName: 'Operations' } });
    const { sink, reads, projection } = setUp([created, added, renamed]);
    await projection.apply([added], added.position);
    expect(reads).toEqual([STREAM]);
    expect(sink.published[0][0].event.data.resource).toMatchObject({ displayName: 'Ops' });
  });

  it('a failed batch leaves no attributes from its future for the retry', async () => {
    const created = groupEvent('GroupCreated', 0n, { attributes: { displayName: 'Ops' } });
    const added = groupEvent('GroupMembersAdded', 1n, { members: [{ value: 'u1' }] });
    const renamed = groupEvent('GroupUpdated', 2n, { changes: [], attributes: { displayName: 'Operations' } });
    const { sink, projection } = setUp([created, added, renamed]);
    await projection.apply([created], created.position);
    sink.failNext = true;
    await expect(projection.apply([renamed], renamed.position)).rejects.toThrow();
    // A later batch never contains an earlier event, but the cache must still not answer for revision 1 with 2's name.
    await projection.apply([added], added.position);
    expect(sink.published.at(-1)![0].event.data.resource).toMatchObject({ displayName: 'Ops' });
  });
});
