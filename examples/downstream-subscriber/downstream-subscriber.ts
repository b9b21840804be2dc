import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { LocalDirectory, type ApplyOutcome } from './local-directory.js';
import type { ScimEvent } from './scim-event.contract.js';

export interface DownstreamSubscriberOptions {
  readonly brokers: readonly string[];
  /** The gateway's KAFKA_TOPIC_PREFIX: topics `<prefix>.users` and `<prefix>.groups`. */
  readonly topicPrefix: string;
  /** One consumer group per app: replicas of the app share the partitions. */
  readonly groupId: string;
  readonly onEvent?: (event: ScimEvent, outcome: ApplyOutcome) => void;
}

/**
 * A downstream app's consumer: a kafkajs consumer group on the users and groups topics that keeps a LocalDirectory.
 * kafkajs commits an offset only after eachMessage resolved, so a crash re-delivers (and the directory drops the
 * duplicate); it never loses a change.
 */
export class DownstreamSubscriber {
  readonly directory = new LocalDirectory();
  readonly outcomes: Record<ApplyOutcome, number> = { applied: 0, duplicate: 0, stale: 0, ignored: 0 };
  private readonly consumer: Consumer;

  constructor(private readonly options: DownstreamSubscriberOptions) {
    const kafka = new Kafka({ clientId: options.groupId, brokers: [...options.brokers], logLevel: logLevel.WARN });
    this.consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 200 });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [`${this.options.topicPrefix}.users`, `${this.options.topicPrefix}.groups`], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const event = JSON.parse(message.value.toString()) as ScimEvent;
        const outcome = this.directory.apply(event);
        this.outcomes[outcome]++;
        this.options.onEvent?.(event, outcome);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
