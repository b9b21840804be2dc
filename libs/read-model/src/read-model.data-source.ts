import type pg from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { preparedStatementName } from '#event-store/postgres/prepared-statements.js';
import { CreateUsersReadModel1763900000000 } from './migrations/1763900000000-create-users-read-model.js';
import { AddUserFilterSupport1763900002000 } from './migrations/1763900002000-add-user-filter-support.js';
import { CreateGroupsReadModel1763900003000 } from './migrations/1763900003000-create-groups-read-model.js';
import { WorkEmailsIndexWithoutPendingList1763900008000 } from './migrations/1763900008000-work-emails-index-without-pending-list.js';
import { AddDocumentText1763900009000 } from './migrations/1763900009000-add-document-text.js';
import { ProjectionCheckpointEntity } from './projection-checkpoint.entity.js';
import { ScimGroupEntity, ScimGroupMemberEntity } from './scim-group.entity.js';
import { ScimUserEntity } from './scim-user.entity.js';
import type { SqlQueryable } from './users.query.js';

export const READ_MODEL_ENTITIES = [ScimUserEntity, ScimGroupEntity, ScimGroupMemberEntity, ProjectionCheckpointEntity];
export const READ_MODEL_MIGRATIONS = [
  CreateUsersReadModel1763900000000,
  AddUserFilterSupport1763900002000,
  CreateGroupsReadModel1763900003000,
  WorkEmailsIndexWithoutPendingList1763900008000,
  AddDocumentText1763900009000,
];

export interface DataSourceOptions {
  readonly connectionString: string;
  readonly poolSize: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly extraEntities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly extraMigrations?: MixedList<Function | string>;
}

/**
 * One TypeORM DataSource for the read model (and the gateway's own tables passed in `extra*`). Schema changes
 * only through explicit migrations, run at start; never `synchronize` (DESIGN.md "Read model").
 */
export async function openReadModelDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.connectionString,
    entities: [...READ_MODEL_ENTITIES, ...((options.extraEntities as []) ?? [])],
    migrations: [...READ_MODEL_MIGRATIONS, ...((options.extraMigrations as []) ?? [])],
    migrationsTableName: 'read_model_migrations',
    synchronize: false,
    logging: ['error'],
    poolSize: options.poolSize,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/**
 * The read model's hot statements (searches, lookups by id, the projection's one-statement batch) as named
 * prepared statements, straight on the DataSource's `pg` pool: each connection parses and plans a statement text
 * once. PostgreSQL plans the first five runs with the values and keeps a generic plan only if it is no dearer, so a
 * filter whose best plan depends on its value (a `sw` pattern) keeps being planned with it. Rows, as
 * DataSource.query answers a SELECT.
 */
export function preparedQueries(dataSource: DataSource): SqlQueryable {
  const pool = (dataSource.driver as PostgresDriver).master as pg.Pool;
  return {
    async query<Result = unknown>(sql: string, params: unknown[] = []): Promise<Result> {
      const result = await pool.query({ name: preparedStatementName(sql), text: sql, values: params });
      return result.rows as Result;
    },
  };
}
