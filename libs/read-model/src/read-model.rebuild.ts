import { DataSource } from 'typeorm';
import { START, comparePositions, formatPosition, type EventStore, type GlobalPosition } from '#event-store/event-store.port.js';
import { READ_MODEL_MIGRATIONS, openReadModelDataSource } from './read-model.data-source.js';
import { ReadModelProjection } from './read-model.projection.js';

/** The read model's own tables (projection_checkpoints stays: the Kafka projection keeps its checkpoint there). */
export const READ_MODEL_TABLES = ['scim_users', 'scim_groups', 'scim_group_members'] as const;
const REBUILD_SCHEMA = 'read_model_rebuild';

export interface RebuildResult {
  readonly events: number;
  readonly seconds: number;
  readonly checkpoint: GlobalPosition;
  /** Where the tables that were live before the switch are kept (drop it once the new ones are trusted). */
  readonly previousSchema: string;
}

/**
 * Rebuilds the read model from the event log into fresh tables, then switches to them (issue 5, "Replay"):
 *  0. migrates the live read model, so the tables about to be replaced are today's;
 *  1. creates the schema read_model_rebuild and runs the read-model migrations there;
 *  2. applies the whole log with the read-model projection into it, until it reaches the log's head;
 *  3. in one transaction, moves the live tables to a schema `read_model_previous_<time>`, moves the rebuilt ones
 *     into `public`, and sets the live checkpoint to the rebuilt one; readers see the old tables or the new.
 * The caller makes sure nothing else applies the read model meanwhile: the DATA_DIR lock on PGlite, the
 * projection's advisory lock on a server (see rebuild-read-model.main.ts).
 */
export async function rebuildReadModel(options: {
  readonly connectionString: string;
  readonly store: EventStore;
  readonly batchSize?: number;
  readonly log?: (message: string) => void;
  readonly now?: () => Date;
}): Promise<RebuildResult> {
  const log = options.log ?? (() => undefined);
  const batchSize = options.batchSize ?? 2000;
  const started = Date.now();
  // The live tables must have today's shape before the rebuilt ones take their place (a data directory last
  // opened by an older gateway lacks later migrations).
  await (await openReadModelDataSource({ connectionString: options.connectionString, poolSize: 1 })).destroy();
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.connectionString,
    migrations: READ_MODEL_MIGRATIONS,
    migrationsTableName: 'read_model_migrations',
    // TypeORM qualifies its own migrations table with this; the migrations' SQL follows the search_path below.
    schema: REBUILD_SCHEMA,
    synchronize: false,
    logging: ['error'],
    // One connection that never idles out, so the search_path set below holds for every statement.
    poolSize: 1,
    extra: { idleTimeoutMillis: 0 },
  });
  await dataSource.initialize();
  try {
    await dataSource.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await dataSource.query(`CREATE SCHEMA ${REBUILD_SCHEMA}`);
    // Unqualified names (the migrations', the projection's) now mean the rebuild schema; the event store's tables
    // are schema-qualified (event_store.*), so reading the log is unaffected.
    await dataSource.query(`SET search_path TO ${REBUILD_SCHEMA}`);
    await dataSource.runMigrations({ transaction: 'each' });
    log(`migrated schema ${REBUILD_SCHEMA}`);

    const projection = new ReadModelProjection(dataSource);
    let position: GlobalPosition = START;
    let events = 0;
    for (;;) {
      const head = await options.store.headPosition();
      const batch = await options.store.readAll({ after: position, maxCount: batchSize });
      if (batch.length > 0) {
        position = batch[batch.length - 1].position;
        await projection.apply(batch, position);
        events += batch.length;
        if (events % (batchSize * 10) < batch.length) log(`applied ${events} events, at ${formatPosition(position)}`);
      }
      if (batch.length < batchSize && comparePositions(position, head) >= 0) break;
    }
    log(`applied ${events} events; switching`);

    const previousSchema = `read_model_previous_${(options.now?.() ?? new Date()).toISOString().replace(/\D/g, '').slice(0, 14)}`;
    await dataSource.transaction(async (manager) => {
      await manager.query(`CREATE SCHEMA ${previousSchema}`);
      for (const table of READ_MODEL_TABLES) {
        await manager.query(`ALTER TABLE public.${table} SET SCHEMA ${previousSchema}`);
        await manager.query(`ALTER TABLE ${REBUILD_SCHEMA}.${table} SET SCHEMA public`);
      }
      await manager.query(
        `INSERT INTO public.projection_checkpoints (projection, commit_position, prepare_position, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (projection) DO UPDATE SET commit_position = EXCLUDED.commit_position,
           prepare_position = EXCLUDED.prepare_position, updated_at = EXCLUDED.updated_at`,
        [ReadModelProjection.NAME, position.commit.toString(), position.prepare.toString()],
      );
    });
    await dataSource.query(`RESET search_path`);
    await dataSource.query(`DROP SCHEMA ${REBUILD_SCHEMA} CASCADE`);
    // Freshly filled tables have no planner statistics, and PGlite has no autovacuum to gather them.
    await dataSource.query(`ANALYZE ${READ_MODEL_TABLES.map((table) => `public.${table}`).join(', ')}`);
    return { events, seconds: (Date.now() - started) / 1000, checkpoint: position, previousSchema };
  } finally {
    await dataSource.query('RESET search_path').catch(() => undefined);
    await dataSource.destroy();
  }
}
