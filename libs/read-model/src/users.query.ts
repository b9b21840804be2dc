import type { Filter } from '#scim/filter/filter.ast.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import type { SortRequest } from './filter/sort-sql.compiler.js';
import { compileUserFilter, compileUserSortTerm } from './filter/user-filter.sql.js';
import { buildSearchStatements, runSearch, type SearchStatements } from './search-statements.js';

export interface UserView {
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly version: bigint;
  readonly createdAt: Date;
  readonly lastModifiedAt: Date;
}

export interface UserPage {
  readonly totalResults: number;
  readonly resources: readonly UserView[];
}

interface UserRow {
  id: string;
  attributes: Record<string, unknown>;
  version: string;
  created_at: Date;
  last_modified_at: Date;
}

/** What the queries need of a connection: a TypeORM DataSource, or a test's client adapter. */
export interface SqlQueryable {
  query<Result = unknown>(sql: string, params?: unknown[]): Promise<Result>;
}

/** Reads of the users read model (GET by id, list with filter and paging). Tenant scoping is in every query. */
export class UsersQuery {
  /** `registry` must know the deployment's custom extensions, or filters on their attributes are invalidFilter. */
  constructor(
    private readonly dataSource: SqlQueryable,
    private readonly registry: SchemaRegistry = new SchemaRegistry(),
  ) {}

  async findById(tenantId: string, id: string): Promise<UserView | null> {
    if (!UUID.test(id)) return null;
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT id, attributes, version, created_at, last_modified_at FROM scim_users WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows.length === 0 ? null : toView(rows[0]);
  }

  /**
   * RFC 7644 §3.4.2: `filter` (§3.4.2.2), `sort` (§3.4.2.3), startIndex 1-based and count (§3.4.2.4; count 0
   * asks only for totalResults). Throws InvalidFilterError for a filter the schemas reject. `registry`: the
   * tenant's schemas, when it has extensions of its own.
   */
  async search(
    tenantId: string,
    filter: Filter | undefined,
    startIndex: number,
    count: number,
    sort?: SortRequest,
    registry: SchemaRegistry = this.registry,
  ): Promise<UserPage> {
    const result = await runSearch<UserRow>(this.dataSource, buildUserSearchStatements(tenantId, filter, startIndex, count, sort, registry), count);
    return { totalResults: result.total, resources: result.rows.map(toView) };
  }
}

/**
 * The statements of a search (see buildSearchStatements), exposed so tests can EXPLAIN exactly what runs:
 * `search` (the total and the page in one statement) for a page, `count` alone for count=0. Pages are ordered by
 * the sort key, then by creation and id, so paging is stable (RFC 7644 §3.4.2.4 leaves the default order open).
 */
export function buildUserSearchStatements(
  tenantId: string,
  filter: Filter | undefined,
  startIndex: number,
  count: number,
  sort: SortRequest | undefined,
  registry: SchemaRegistry,
): SearchStatements {
  return buildSearchStatements({
    table: 'scim_users',
    columns: USER_COLUMNS,
    tenantId,
    where: filter ? compileUserFilter(filter, 2, registry) : { sql: 'TRUE', params: [] },
    ...(sort ? { sort: compileUserSortTerm(sort, registry) } : {}),
    tieBreakers: ['created_at', 'id'],
    startIndex,
    count,
  });
}

const USER_COLUMNS = ['id', 'attributes', 'version', 'created_at', 'last_modified_at'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toView(row: UserRow): UserView {
  return {
    id: row.id,
    attributes: row.attributes,
    version: BigInt(row.version),
    createdAt: row.created_at,
    lastModifiedAt: row.last_modified_at,
  };
}
