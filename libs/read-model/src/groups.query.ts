import type { Filter } from '#scim/filter/filter.ast.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { compileGroupFilter, compileGroupSortTerm } from './filter/group-filter.sql.js';
import type { SortRequest } from './filter/sort-sql.compiler.js';
import { buildSearchStatements, runSearch, type SearchRequest, type SearchStatements } from './search-statements.js';
import { searchFailure } from './search-timeout.js';
import type { ReadQueryOptions, SqlQueryable } from './users.query.js';

export interface GroupMemberView {
  readonly value: string;
  readonly type: string | null;
  readonly display: string | null;
}

export interface GroupView {
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  /** undefined when the caller asked not to load members (excludedAttributes=members). */
  readonly members?: readonly GroupMemberView[];
  readonly version: bigint;
  readonly createdAt: Date;
  readonly lastModifiedAt: Date;
}

/** A member as a page of members shows it: with the user's userName or the group's displayName as it is now. */
export interface GroupMemberPageEntry extends GroupMemberView {
  /** null when the member is neither a user nor a group of the tenant in the read model (any more). */
  readonly name: string | null;
}

/** A page of one group's members (see GroupsQuery.memberPage). */
export interface GroupMemberPage {
  /** Every member of the group, exact. */
  readonly totalResults: number;
  readonly members: readonly GroupMemberPageEntry[];
}

/** How many members a group has, counted up to a cap: `capped` says there are more than `count`. */
export interface GroupMemberCount {
  readonly count: number;
  readonly capped: boolean;
}

/** A search of the groups: the list request, and whether to read each group's members. */
export interface GroupSearch extends SearchRequest {
  readonly includeMembers?: boolean;
}

export interface GroupPage {
  readonly totalResults: number;
  readonly resources: readonly GroupView[];
}

interface GroupRow {
  id: string;
  attributes: Record<string, unknown>;
  version: string;
  created_at: Date;
  last_modified_at: Date;
}

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const UUID = new RegExp(UUID_PATTERN, 'i');
const COLUMNS = 'id, attributes, version, created_at, last_modified_at';
const GROUP_COLUMNS = ['id', 'attributes', 'version', 'created_at', 'last_modified_at'];

/**
 * Reads of the groups read model. Members are read only when asked for, so Entra's
 * `excludedAttributes=members` never touches the members table (ENTRA.md).
 */
export class GroupsQuery {
  constructor(
    private readonly dataSource: SqlQueryable,
    private readonly registry: SchemaRegistry = new SchemaRegistry(),
    private readonly options: ReadQueryOptions = {},
  ) {}

  async findById(tenantId: string, id: string, includeMembers: boolean): Promise<GroupView | null> {
    if (!UUID.test(id)) return null;
    const rows: GroupRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM scim_groups WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    if (rows.length === 0) return null;
    const members = includeMembers ? await this.membersOf(tenantId, [rows[0].id]) : undefined;
    return toView(rows[0], members?.get(rows[0].id) ?? (includeMembers ? [] : undefined));
  }

  /** As UsersQuery.search, with each group's members when `includeMembers`. */
  async search(tenantId: string, { filter, sort, startIndex, count, registry = this.registry, includeMembers = false }: GroupSearch): Promise<GroupPage> {
    const statements = buildGroupSearchStatements(tenantId, filter, startIndex, count, sort, registry);
    const { total, rows } = await runSearch<GroupRow>(this.dataSource, statements, count).catch((error: unknown) => {
      throw searchFailure(error, filter !== undefined, this.options.statementTimeoutMs);
    });
    const members = includeMembers ? await this.membersOf(tenantId, rows.map((row) => row.id)) : undefined;
    return {
      totalResults: total,
      resources: rows.map((row) => toView(row, members ? (members.get(row.id) ?? []) : undefined)),
    };
  }

  /** The ids of the groups a member belongs to (index scim_group_members_member). */
  async groupIdsOfMember(tenantId: string, memberId: string): Promise<string[]> {
    const rows: { group_id: string }[] = await this.dataSource.query(
      `SELECT group_id FROM scim_group_members WHERE tenant_id = $1 AND member_id = $2`,
      [tenantId, memberId],
    );
    return rows.map((row) => row.group_id);
  }

  /**
   * One page of a group's members, in member id order (the primary key's order, so stable), with the exact total:
   * one statement, shaped as buildSearchStatements' (the count, and the page LEFT JOINed LATERAL to it, so a page
   * past the end still has its total). Both sides walk the primary key (tenant_id, group_id, member_id): the count
   * and the skipped rows read only the index (an index-only scan once the table is vacuumed), and only the page's
   * rows are read from the table, with each one's current name (two primary-key lookups a row). Its cost grows with the group's size, not with the members table's:
   * docs/admin.md "Directory". startIndex is 1-based; count 0 asks for the total only.
   */
  async memberPage(tenantId: string, groupId: string, startIndex: number, count: number): Promise<GroupMemberPage> {
    if (!UUID.test(groupId)) return { totalResults: 0, members: [] };
    const statement = buildMemberPageStatement(tenantId, groupId, startIndex, count);
    const rows: { total: string | number; member_id: string | null; member_type: string | null; display: string | null; name: string | null }[] =
      await this.dataSource.query(statement.sql, [...statement.params]);
    return {
      totalResults: Number(rows[0]?.total ?? 0),
      members: rows
        .filter((row) => row.member_id !== null)
        .map((row) => ({ value: row.member_id!, type: row.member_type, display: row.display, name: row.name })),
    };
  }

  /**
   * The member counts of some groups (a list page), each counted up to `cap` (then `capped`): a page of large
   * groups costs at most cap + 1 index entries per group, whatever their size.
   */
  async memberCounts(tenantId: string, groupIds: readonly string[], cap: number): Promise<Map<string, GroupMemberCount>> {
    const counts = new Map<string, GroupMemberCount>();
    const ids = groupIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return counts;
    const rows: { group_id: string; members: string | number }[] = await this.dataSource.query(
      `SELECT g.id::text AS group_id,
              (SELECT count(*) FROM (SELECT 1 FROM scim_group_members m WHERE m.tenant_id = $1 AND m.group_id = g.id LIMIT $3) AS upto) AS members
       FROM unnest($2::uuid[]) AS g(id)`,
      [tenantId, ids, cap + 1],
    );
    for (const row of rows) {
      const members = Number(row.members);
      counts.set(row.group_id, members > cap ? { count: cap, capped: true } : { count: members, capped: false });
    }
    return counts;
  }

  private async membersOf(tenantId: string, groupIds: readonly string[]): Promise<Map<string, GroupMemberView[]>> {
    const byGroup = new Map<string, GroupMemberView[]>();
    if (groupIds.length === 0) return byGroup;
    const rows: { group_id: string; member_id: string; member_type: string | null; display: string | null }[] = await this.dataSource.query(
      `SELECT group_id, member_id, member_type, display FROM scim_group_members WHERE tenant_id = $1 AND group_id = ANY($2::uuid[]) ORDER BY group_id, member_id`,
      [tenantId, groupIds],
    );
    for (const row of rows) {
      const list = byGroup.get(row.group_id) ?? [];
      list.push({ value: row.member_id, type: row.member_type, display: row.display });
      byGroup.set(row.group_id, list);
    }
    return byGroup;
  }
}

/**
 * The statements of a group search (see buildSearchStatements): ordered by the sort key then id, or by creation
 * then id without one, so paging is stable.
 */
export function buildGroupSearchStatements(
  tenantId: string,
  filter: Filter | undefined,
  startIndex: number,
  count: number,
  sort: SortRequest | undefined,
  registry: SchemaRegistry,
): SearchStatements {
  return buildSearchStatements({
    table: 'scim_groups',
    columns: GROUP_COLUMNS,
    tenantId,
    where: filter ? compileGroupFilter(filter, 2, registry) : { sql: 'TRUE', params: [] },
    ...(sort ? { sort: compileGroupSortTerm(sort, registry), tieBreakers: ['id'] } : { tieBreakers: ['created_at', 'id'] }),
    startIndex,
    count,
  });
}

/** The statement of memberPage, exposed so tests can EXPLAIN exactly what runs. */
export function buildMemberPageStatement(tenantId: string, groupId: string, startIndex: number, count: number): { readonly sql: string; readonly params: readonly unknown[] } {
  return {
    // member_id is text; users' and groups' ids are uuids: an id that is not one (never written by this gateway,
    // which generates them) names no resource rather than failing the cast.
    sql: `SELECT counted.total, page.member_id, page.member_type, page.display, page.name
       FROM (SELECT count(*) AS total FROM scim_group_members WHERE tenant_id = $1 AND group_id = $2) AS counted
       LEFT JOIN LATERAL (
         SELECT m.member_id, m.member_type, m.display, coalesce(u.user_name, g.display_name) AS name
         FROM (SELECT member_id FROM scim_group_members WHERE tenant_id = $1 AND group_id = $2 ORDER BY member_id LIMIT $3 OFFSET $4) AS page_keys
         JOIN scim_group_members m ON m.tenant_id = $1 AND m.group_id = $2 AND m.member_id = page_keys.member_id
         CROSS JOIN LATERAL (SELECT CASE WHEN m.member_id ~* '${UUID_PATTERN}' THEN m.member_id::uuid END AS id) AS member
         LEFT JOIN scim_users u ON u.tenant_id = $1 AND u.id = member.id
         LEFT JOIN scim_groups g ON g.tenant_id = $1 AND g.id = member.id
       ) AS page ON TRUE
       ORDER BY page.member_id`,
    params: [tenantId, groupId, Math.max(0, count), Math.max(startIndex, 1) - 1],
  };
}

function toView(row: GroupRow, members: readonly GroupMemberView[] | undefined): GroupView {
  return {
    id: row.id,
    attributes: row.attributes,
    ...(members !== undefined ? { members } : {}),
    version: BigInt(row.version),
    createdAt: row.created_at,
    lastModifiedAt: row.last_modified_at,
  };
}
