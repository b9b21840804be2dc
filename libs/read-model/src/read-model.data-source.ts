import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { CreateUsersReadModel1763900000000 } from './migrations/1763900000000-create-users-read-model.js';
import { AddUserFilterSupport1763900002000 } from './migrations/1763900002000-add-user-filter-support.js';
import { CreateGroupsReadModel1763900003000 } from './migrations/1763900003000-create-groups-read-model.js';
import { WorkEmailsIndexWithoutPendingList1763900008000 } from './migrations/1763900008000-work-emails-index-without-pending-list.js';
import { ProjectionCheckpointEntity } from './projection-checkpoint.entity.js';
import { ScimGroupEntity, ScimGroupMemberEntity } from './scim-group.entity.js';
import { ScimUserEntity } from './scim-user.entity.js';

export const READ_MODEL_ENTITIES = [ScimUserEntity, ScimGroupEntity, ScimGroupMemberEntity, ProjectionCheckpointEntity];
export const READ_MODEL_MIGRATIONS = [
  CreateUsersReadModel1763900000000,
  AddUserFilterSupport1763900002000,
  CreateGroupsReadModel1763900003000,
  WorkEmailsIndexWithoutPendingList1763900008000,
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
