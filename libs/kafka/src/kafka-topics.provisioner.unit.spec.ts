import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describeFailure, KafkaTopicsProvisioner } from './kafka-topics.provisioner.js';
import type { KafkaLogger } from './kafka.logger.js';

function recordingLogger(): KafkaLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(`log ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5_000; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const unreachable = () =>
  new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1'), { retryCount: 4, retryTime: 100 });

describe('KafkaTopicsProvisioner', () => {
  it('is not ready before the first attempt ends, and ready once the topics exist', async () => {
    let finish!: () => void;
    const provisioner = new KafkaTopicsProvisioner(() => new Promise<void>((resolve) => (finish = resolve)), recordingLogger());
    expect(provisioner.notReadyReason()).toBe('kafka: topics not created yet');
    provisioner.start();
    expect(provisioner.status()).toEqual({ state: 'creating' });
    finish();
    await until(() => provisioner.status().state === 'created', 'the topics');
    expect(provisioner.notReadyReason()).toBeNull();
    await provisioner.stop();
  });

  it('names the unreachable broker while it retries, and becomes ready when the broker answers', async () => {
    const logger = recordingLogger();
    let calls = 0;
    const provisioner = new KafkaTopicsProvisioner(
      async () => {
        calls++;
        if (calls < 4) throw unreachable();
      },
      logger,
      { retryMs: 1, maxRetryMs: 2 },
    );
    provisioner.start();
    await until(() => provisioner.status().state === 'failing', 'the first failure');
    expect(provisioner.notReadyReason()).toMatch(/^kafka: broker unreachable \(.*ECONNREFUSED 127\.0\.0\.1:1/);
    await until(() => provisioner.status().state === 'created', 'the topics');
    expect(calls).toBe(4);
    // One warning for the outage, not one per attempt; one line when it is over.
    expect(logger.lines.filter((line) => line.startsWith('warn'))).toHaveLength(1);
    expect(logger.lines).toContain('log Kafka topics are ready after 4 attempts');
    await provisioner.stop();
  });

  it('stops retrying when stopped, and never claims the topics exist', async () => {
    let calls = 0;
    const provisioner = new KafkaTopicsProvisioner(
      async () => {
        calls++;
        throw unreachable();
      },
      recordingLogger(),
      { retryMs: 60_000 },
    );
    provisioner.start();
    await until(() => calls === 1 && provisioner.status().state === 'failing', 'the first failure');
    await provisioner.stop();
    expect(calls).toBe(1);
    expect(provisioner.status()).toMatchObject({ state: 'failing', attempts: 1 });
  });
});

describe('describeFailure', () => {
  it('says "broker unreachable" for connection failures, directly or as the cause of the last retry', () => {
    expect(describeFailure(new KafkaJSConnectionError('Connection timeout'))).toBe('kafka: broker unreachable (Connection timeout)');
    expect(describeFailure(unreachable())).toMatch(/^kafka: broker unreachable \(/);
  });

  it('says what stopped the creation otherwise (rights, settings), so the operator knows it is not the network', () => {
    const denied = new KafkaJSProtocolError('Topic authorization failed');
    expect(describeFailure(denied)).toBe('kafka: topics could not be created (Topic authorization failed)');
  });
});
