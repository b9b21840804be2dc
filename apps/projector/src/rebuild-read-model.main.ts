import { ConfigError, loadGatewayConfig } from '#config/gateway.config.js';
import { formatPosition, type EventStore } from '#event-store/event-store.port.js';
import { EventStoreDbEventStore } from '#event-store/eventstoredb/eventstoredb.event-store.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#postgres/embedded/pglite.server.js';
import { PostgresEventStore } from '#event-store/postgres/postgres.event-store.js';
import { ReadModelProjection } from '#read-model/read-model.projection.js';
import { rebuildReadModel } from '#read-model/read-model.rebuild.js';
import { AdvisoryLockLease } from './advisory-lock.lease.js';

const USAGE = `Rebuilds the read model (users, groups, members) from the event log into fresh tables, then switches to them.
Usage: npm run rebuild:read-model
Uses the gateway's configuration: EVENT_STORE / EVENTSTORE_URL for the log, DATABASE_URL (or the embedded DATA_DIR)
for the read model. Nothing else may apply the read model meanwhile:
  - embedded: stop the gateway first (it holds DATA_DIR's lock; this tool says so if it is still running);
  - server: this tool takes the read-model projection's advisory lock, so projectors stand by; stop gateways that
    run projections in-process (PROJECTIONS=in-process) first.
The tables that were live are kept in a schema read_model_previous_<time>; drop it once the new ones are trusted.`;

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    console.error(`${error instanceof ConfigError ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  const embedded: EmbeddedPostgres | null = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, maxConnections: 8 });
  const connectionString = config.databaseUrl ?? embedded!.connectionString;
  let lease: AdvisoryLockLease | null = null;
  let store: EventStore | null = null;
  try {
    if (config.databaseUrl) {
      lease = await AdvisoryLockLease.tryAcquire(connectionString, ReadModelProjection.NAME, {
        onLost: (reason) => {
          console.error(`lost the read-model lock (${reason}); stopping before anything is switched`);
          process.exit(1);
        },
      });
      if (!lease) {
        console.error('A projector is applying the read model (it holds its advisory lock). Stop the projectors, then run this again.');
        process.exit(3);
      }
    }
    store =
      config.eventStore === 'eventstoredb'
        ? await EventStoreDbEventStore.create(config.eventStoreUrl!)
        : await PostgresEventStore.create(connectionString, { poolSize: 2 });
    const result = await rebuildReadModel({ connectionString, store, log: (message) => console.log(message) });
    console.log(
      `rebuilt the read model from ${result.events} events in ${result.seconds.toFixed(1)} s; checkpoint ${formatPosition(result.checkpoint)}; ` +
        `the previous tables are in schema ${result.previousSchema}`,
    );
  } finally {
    await store?.close();
    await lease?.release();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error('The rebuild failed; the live read model is either unchanged or fully switched (the switch is one transaction):', error);
  process.exit(1);
});
