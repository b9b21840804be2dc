import { freeTcpPort } from './kafka.test-support.js';
import { KafkaPublishError, ScimEventPublisher } from './scim-event.publisher.js';
import type { ScimKafkaRecord } from './scim-cloud-event.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('ScimEventPublisher metrics', () => {
  it('counts a publish the broker never acknowledged as an error, with no latency or size recorded', async () => {
    const recorded: string[] = [];
    // A port nobody listens on: the connection is refused at once.
    const port = await freeTcpPort();
    const publisher = new ScimEventPublisher({ brokers: [`127.0.0.1:${port}`], topicPrefix: 'metrics', partitions: 1, replicationFactor: 1, clientId: 'metrics-unit' }, quiet, {
      sendThread: 'inline',
      retries: 0,
      requestTimeoutMs: 1_000,
      metrics: { published: (records) => void recorded.push(`published ${records}`), failed: () => void recorded.push('failed') },
    });
    const record = { topicKind: 'users', key: 't:1', event: { id: 'e1' } } as unknown as ScimKafkaRecord;
    try {
      await expect(publisher.publish([record])).rejects.toBeInstanceOf(KafkaPublishError);
      await publisher.publish([]); // nothing to send: nothing to measure
      expect(recorded).toEqual(['failed']);
    } finally {
      await publisher.close();
    }
  });
});
