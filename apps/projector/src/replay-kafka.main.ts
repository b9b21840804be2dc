import { parseArgs } from 'node:util';
import { ConfigError, loadGatewayConfig } from '#config/gateway.config.js';
import { loadKafkaConfig } from '#config/kafka.config.js';
import { formatPosition, parsePosition, START, type GlobalPosition } from '#event-store/event-store.port.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#postgres/embedded/pglite.server.js';
import type { EventStore } from '#event-store/event-store.port.js';
import { EventStoreDbEventStore } from '#event-store/eventstoredb/eventstoredb.event-store.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { replayToKafka } from '#kafka/kafka.replay.js';
import { ScimEventPublisher } from '#kafka/scim-event.publisher.js';

const USAGE = `Republishes the event log to Kafka (issue 5, "Replay"), without moving the live Kafka projection.
Usage: npm run replay:kafka -- [--from start|<commit:prepare>] [--to <commit:prepare>] [--batch-size 2000]
  --from        first position to republish, inclusive (a CloudEvent's data.position); default: start
  --to          last position, inclusive; default: the log's head when the replay starts
Reads KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, ... and the event store the gateway uses: EVENT_STORE=eventstoredb with
EVENTSTORE_URL, else DATABASE_URL, else the embedded DATA_DIR (stop the gateway first: it holds that directory's lock).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, 'batch-size': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let from: GlobalPosition;
  let to: GlobalPosition | undefined;
  let batchSize: number;
  let gateway;
  let kafka;
  let publisher;
  try {
    from = values.from === undefined || values.from === 'start' ? START : parsePosition(values.from);
    to = values.to === undefined ? undefined : parsePosition(values.to);
    batchSize = Number(values['batch-size'] ?? 2000);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) throw new Error('--batch-size must be an integer from 1 to 50000');
    gateway = loadGatewayConfig(process.env);
    kafka = loadKafkaConfig(process.env);
    if (!kafka) throw new Error('KAFKA_BROKERS is not set: nowhere to replay to');
    // Reads the TLS and SASL files (KAFKA_SSL_*_FILE, KAFKA_SASL_PASSWORD_FILE): a bad one stops the replay here.
    publisher = new ScimEventPublisher(kafka, console);
  } catch (error) {
    console.error(`${error instanceof ConfigError ? error.message : String(error instanceof Error ? error.message : error)}\n\n${USAGE}`);
    process.exit(2);
  }

  // The embedded store refuses to open while a gateway holds DATA_DIR's lock, and says which process holds it.
  let embedded: EmbeddedPostgres | null = null;
  let store: EventStore;
  if (gateway.eventStore === 'eventstoredb') {
    store = await EventStoreDbEventStore.create(gateway.eventStoreUrl!);
  } else {
    if (!gateway.databaseUrl) embedded = await startEmbeddedPostgres({ dataDir: gateway.dataDir, maxConnections: 8 });
    store = await PostgresEventStore.create(gateway.databaseUrl ?? embedded!.connectionString, { poolSize: 4 });
  }
  try {
    console.log(`replaying to ${kafka.topicPrefix}.users / ${kafka.topicPrefix}.groups from ${values.from ?? 'start'}${to ? ` to ${formatPosition(to)}` : ''}`);
    let lastReport = 0;
    const result = await replayToKafka({
      store,
      sink: publisher,
      from,
      to,
      batchSize,
      onBatch: (progress) => {
        if (progress.seconds - lastReport < 5) return;
        lastReport = progress.seconds;
        console.log(`  ${progress.events} events, at ${progress.lastPosition ? formatPosition(progress.lastPosition) : '-'}`);
      },
    });
    const rate = result.seconds > 0 ? Math.round(result.events / result.seconds) : result.events;
    console.log(
      `republished ${result.events} events in ${result.seconds.toFixed(1)} s (${rate} events/s); last position ${result.lastPosition ? formatPosition(result.lastPosition) : 'none'}`,
    );
  } finally {
    await publisher.close();
    await store.close();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error('The replay failed:', error);
  process.exit(1);
});
