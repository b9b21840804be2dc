import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { SpanKind } from '@opentelemetry/api';
import type { KafkaConfig } from '#config/kafka.config.js';
import { NO_KAFKA_PUBLISH_METRICS, type KafkaPublishMetrics } from '#observability/metrics.recorders.js';
import { inSpan } from '#observability/tracing.js';
import { describeKafkaSecurity, kafkaClientConfig, kafkaClientSecurity } from './kafka-client.options.js';
import { ensureTopics, scimTopics } from './kafka-topics.js';
import { kafkaLogCreator, type KafkaLogger } from './kafka.logger.js';
import { CLOUD_EVENTS_CONTENT_TYPE, type ScimKafkaRecord, type ScimTopicKind } from './scim-cloud-event.js';
import { KafkaSendThread, kafkaSendThreadAvailable } from './kafka-send.thread.js';

/** Where built records go; the Kafka projection and the replay publish through it, tests substitute it. */
export interface ScimRecordSink {
  /** Resolves once every record is acknowledged by all in-sync replicas; rejects if any may not be. */
  publish(records: readonly ScimKafkaRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** A send that may not have reached the broker: the caller must not checkpoint past it. */
export class KafkaPublishError extends Error {
  override readonly name = 'KafkaPublishError';
}

export interface ScimEventPublisherOptions {
  /** Longest one request may take before it counts as failed (kafkajs requestTimeout). Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** Retries inside one publish before it fails and the projection runner backs off. Default 4. */
  readonly retries?: number;
  /**
   * Where kafkajs encodes the records and sends them. 'worker': in a worker thread of this publisher's own (the
   * calling thread still builds the JSON), so a bulk publisher such as the replay keeps two cores busy; the default
   * where the compiled worker exists (dist/), else 'inline'. 'inline': in the calling thread, one hop less for the
   * live projection's small batches (createKafkaProjection asks for it). The records sent are the same bytes.
   */
  readonly sendThread?: 'worker' | 'inline';
  /**
   * Log the configuration's security warnings (KAFKA_SASL_MECHANISM=plain without TLS, ...) when constructed.
   * Default true; the send thread's publisher says false, its calling thread's publisher has said them already.
   */
  readonly logSecurityWarnings?: boolean;
  /** Publish latency, records per publish and failures (scim_kafka_publish_*); default: none recorded. */
  readonly metrics?: KafkaPublishMetrics;
}

/** One topic's records, serialised: what a publish hands to kafkajs (here or in the send thread). */
export interface EncodedTopicMessages {
  readonly topic: string;
  readonly messages: readonly { readonly key: string; readonly value: string }[];
}

// One instance for every record: kafkajs encodes header values as they are given.
const HEADERS = { 'content-type': CLOUD_EVENTS_CONTENT_TYPE };

/**
 * Publishes records with kafkajs's idempotent producer: acks from all in-sync replicas, one request in flight, so
 * the broker discards a retried duplicate and keeps each partition in send order. One `sendBatch` per publish.
 *
 * The constructor contacts no broker, so a gateway starts with Kafka down. The topics are created by ensureTopics,
 * which the projection's KafkaTopicsProvisioner calls at start through prepare (so a subscriber may start before
 * the first write), and again by the first publish after a failure (the topics may be what went missing).
 * Retries are finite on purpose (kafkajs's idempotent default is "for ever"): during an outage a publish fails,
 * the runner backs off and the lag shows. After a failure the producer is thrown away; the next publish starts a
 * new one (a new producer id), so a half-acknowledged batch is sent again whole: duplicates at most, never a gap.
 * Not for concurrent calls: the runner and the replay publish one batch at a time.
 *
 * With `sendThread: 'worker'` the calling thread serialises the records and a worker thread (kafka-send.worker.ts)
 * runs an inline publisher of its own on the same settings: same producer, same failure rules. If the thread dies,
 * the publish in flight fails like a broker failure and the next publish starts a new thread.
 */
export class ScimEventPublisher implements ScimRecordSink {
  private readonly kafka: Kafka;
  private readonly topics: Record<ScimTopicKind, string>;
  private producer: Producer | null = null;
  private producerConnected: Promise<void> | null = null;
  private topicsEnsured = false;
  private ensuringTopics: Promise<void> | null = null;
  private readonly sendThread: KafkaSendThread | null;
  private readonly metrics: KafkaPublishMetrics;

  constructor(
    private readonly config: KafkaConfig,
    private readonly logger: KafkaLogger,
    private readonly options: ScimEventPublisherOptions = {},
  ) {
    const retries = options.retries ?? 4;
    this.metrics = options.metrics ?? NO_KAFKA_PUBLISH_METRICS;
    // Reads the TLS and SASL files now: one that is missing or wrong stops the start (a ConfigError naming it).
    const security = kafkaClientSecurity(config);
    if (options.logSecurityWarnings ?? true) for (const warning of security.warnings) logger.warn(warning);
    this.kafka = new Kafka(
      kafkaClientConfig(
        config,
        {
          connectionTimeout: 3_000,
          requestTimeout: options.requestTimeoutMs ?? 15_000,
          retry: { retries, initialRetryTime: 250, maxRetryTime: 4_000 },
          logLevel: logLevel.WARN,
          logCreator: kafkaLogCreator(logger),
        },
        security,
      ),
    );
    this.topics = scimTopics(config.topicPrefix);
    const thread = options.sendThread ?? (kafkaSendThreadAvailable() ? 'worker' : 'inline');
    this.sendThread = thread === 'worker' ? new KafkaSendThread(config, { requestTimeoutMs: options.requestTimeoutMs, retries: options.retries }, logger) : null;
  }

  /**
   * Measured here, on the calling thread, around the whole publish (with a send thread: the hand-over, the send
   * and the reply), so the figures land in this process's registry and mean the same in both modes; the send
   * thread's own publisher records nothing. A PRODUCER span covers the same (in this thread, also when a worker
   * thread sends): a child of the projection batch's span.
   */
  publish(records: readonly ScimKafkaRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return inSpan(
      'send',
      () => ({ kind: SpanKind.PRODUCER, attributes: publishAttributes([...new Set(records.map(({ topicKind }) => this.topics[topicKind]))], records.length) }),
      () => this.measuredSend(records),
    );
  }

  private async measuredSend(records: readonly ScimKafkaRecord[]): Promise<void> {
    const started = performance.now();
    try {
      await this.send(records);
    } catch (error) {
      this.metrics.failed();
      throw error;
    }
    this.metrics.published(records.length, (performance.now() - started) / 1000);
  }

  private async send(records: readonly ScimKafkaRecord[]): Promise<void> {
    const encoded = this.encode(records);
    if (!this.sendThread) return this.publishEncoded(encoded, records.length);
    try {
      await this.sendThread.send(encoded, records.length);
    } catch (error) {
      throw new KafkaPublishError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  /** Sends records serialised by `encode` (the send thread's entry point); same guarantees as publish. */
  async publishEncoded(topicMessages: readonly EncodedTopicMessages[], count: number): Promise<void> {
    if (count === 0) return;
    try {
      const producer = await this.connectedProducer();
      await producer.sendBatch({ acks: -1, topicMessages: topicMessages.map(withHeaders) });
    } catch (error) {
      await this.discardProducer();
      this.topicsEnsured = false; // look again next time: the topics may be what went missing
      const reason = error instanceof Error ? error.message : String(error);
      const security = this.config.tls || this.config.sasl ? `, ${describeKafkaSecurity(this.config)}` : '';
      const brokers = `${this.config.brokers.join(',')}${security}`;
      throw new KafkaPublishError(`publishing ${count} events to Kafka (${brokers}) failed: ${reason}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    await this.sendThread?.close();
    await this.discardProducer();
  }

  // Order inside a topic is the log's order; kafkajs keeps it per partition, and the key picks the partition
  // (murmur2, as Java clients do), so each resource's events stay in order.
  private encode(records: readonly ScimKafkaRecord[]): EncodedTopicMessages[] {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const { topicKind, key, event } of records) {
      const topic = this.topics[topicKind];
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push({ key, value: JSON.stringify(event) });
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  /**
   * Creates `<prefix>.users` and `<prefix>.groups` if missing (kafka-topics.ts); resolves at once once done, until
   * a publish fails. Concurrent callers (the start-up provisioner and a first publish) share one attempt.
   */
  ensureTopics(): Promise<void> {
    if (this.topicsEnsured) return Promise.resolve();
    this.ensuringTopics ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        await ensureTopics(admin, this.config, this.logger);
        this.topicsEnsured = true;
      } finally {
        this.ensuringTopics = null;
        await admin.disconnect().catch(() => undefined);
      }
    })();
    return this.ensuringTopics;
  }

  /**
   * Readies the first publish at start: the topics exist and (inline) the idempotent producer is connected, so the
   * first write's event does not wait for CreateTopics, the connection and InitProducerId (KafkaTopicsProvisioner).
   */
  async prepare(): Promise<void> {
    if (this.sendThread) return this.ensureTopics(); // the producer lives in the send thread, started on first use
    try {
      await this.connectedProducer();
    } catch (error) {
      await this.discardProducer();
      throw error;
    }
  }

  private async connectedProducer(): Promise<Producer> {
    await this.ensureTopics();
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: this.options.retries ?? 4, initialRetryTime: 250, maxRetryTime: 4_000 },
      });
      this.producer = producer;
      this.producerConnected = producer.connect();
    }
    // Shared: prepare() at start and a first publish may both be waiting for this connection.
    const producer = this.producer;
    await this.producerConnected;
    return producer;
  }

  private async discardProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.producerConnected = null;
    if (!producer) return;
    // A disconnect towards a dead broker must not hold up the runner's back-off.
    await Promise.race([producer.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }
}

function publishAttributes(topics: readonly string[], count: number): Record<string, string | number> {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'send',
    'messaging.batch.message_count': count,
    // One topic names the destination; a batch to both topics lists them.
    'messaging.destination.name': topics.join(','),
  };
}

function withHeaders({ topic, messages }: EncodedTopicMessages): TopicMessages {
  return { topic, messages: messages.map(({ key, value }): Message => ({ key, value, headers: HEADERS })) };
}
