import type { Filter } from '#scim/filter/filter.ast.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import type { SortRequest } from './filter/sort-sql.compiler.js';
import { compileUserFilter, compileUserSortTerm } from './filter/user-filter.sql.js';
import { buildSearchStatements, runSearch, type SearchRequest, type SearchStatements } from './search-statements.js';
import { searchFailure } from './search-timeout.js';

export interface UserView {
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly version: bigint;
  readonly createdAt: Date;
  readonly lastModifiedAt: Date;
  /** RFC 7643 §4.1.2 `groups`, when asked for (`withGroups`): [] for none. */
  readonly groups?: readonly UserGroupView[];
}

/** A group the user is in: directly, or through a group that is a member of it (nested groups). */
export interface UserGroupView {
  readonly value: string;
  readonly display: string;
  readonly type: 'direct' | 'indirect';
}

/** What to read besides the user's own attributes. */
export interface UserReadOptions {
  /** The user's groups (RFC 7643 §4.1.2), computed from the group members: only when they will be returned. */
  readonly withGroups?: boolean;
}

/** A search of the users: the list request, and whether to read each user's groups. */
export interface UserSearch extends SearchRequest, UserReadOptions {}

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
  groups?: UserGroupView[] | null;
}

/** How the connections the queries run on are set up. */
export interface ReadQueryOptions {
  /** The statement_timeout of those connections, if any, named in the invalidFilter of a search that ran into it. */
  readonly statementTimeoutMs?: number;
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
    private readonly options: ReadQueryOptions = {},
  ) {}

  async findById(tenantId: string, id: string, options: UserReadOptions = {}): Promise<UserView | null> {
    if (!UUID.test(id)) return null;
    const groups = options.withGroups ? `, ${userGroupsSql('scim_users.id')} AS groups` : '';
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT id, attributes, version, created_at, last_modified_at${groups} FROM scim_users WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows.length === 0 ? null : toView(rows[0]);
  }

  /**
   * RFC 7644 §3.4.2: `filter` (§3.4.2.2), `sort` (§3.4.2.3), startIndex 1-based and count (§3.4.2.4; count 0
   * asks only for totalResults). Throws InvalidFilterError for a filter the schemas reject. `registry`: the
   * tenant's schemas, when it has extensions of its own.
   */
  async search(tenantId: string, { filter, sort, startIndex, count, registry = this.registry, withGroups }: UserSearch): Promise<UserPage> {
    const statements = buildUserSearchStatements(tenantId, filter, startIndex, count, sort, registry, { withGroups });
    const result = await runSearch<UserRow>(this.dataSource, statements, count).catch((error: unknown) => {
      throw searchFailure(error, filter !== undefined, this.options.statementTimeoutMs);
    });
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
  options: UserReadOptions = {},
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
    ...(options.withGroups ? { computed: { groups: userGroupsSql('page.id') } } : {}),
  });
}

/**
 * The groups of the user whose id is `userId` (an SQL expression; $1 is the tenant) as a jsonb array of
 * {value, display, type}, NULL for none: the groups it is a member of (`direct`), and those that contain one of
 * them, at any depth (`indirect`). UNION (not UNION ALL) ends the recursion on a cycle of groups. Reads the
 * member index (tenant_id, member_id) once per group on the way up.
 */
function userGroupsSql(userId: string): string {
  // Most users of a search are in no group: one probe of the member index answers for them.
  return `CASE WHEN EXISTS (SELECT 1 FROM scim_group_members WHERE tenant_id = $1 AND member_id = ${userId}::text) THEN (WITH RECURSIVE membership(group_id, direct) AS (
      SELECT m.group_id, true FROM scim_group_members m WHERE m.tenant_id = $1 AND m.member_id = ${userId}::text
      UNION
      SELECT m.group_id, false FROM membership p JOIN scim_group_members m ON m.tenant_id = $1 AND m.member_id = p.group_id::text
    )
    SELECT jsonb_agg(jsonb_build_object('value', g.id::text, 'display', g.display_name, 'type', CASE WHEN d.direct THEN 'direct' ELSE 'indirect' END)
                     ORDER BY g.display_name_lower, g.id)
    FROM (SELECT group_id, bool_or(direct) AS direct FROM membership GROUP BY group_id) AS d
    JOIN scim_groups g ON g.tenant_id = $1 AND g.id = d.group_id) END`;
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
    ...(row.groups !== undefined ? { groups: row.groups ?? [] } : {}),
  };
}
