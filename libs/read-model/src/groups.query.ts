import type { Filter } from '#scim/filter/filter.ast.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { compileGroupFilter, compileGroupSortTerm } from './filter/group-filter.sql.js';
import type { SortRequest } from './filter/sort-sql.compiler.js';
import { buildSearchStatements, runSearch, type SearchStatements } from './search-statements.js';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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

  async search(
    tenantId: string,
    filter: Filter | undefined,
    startIndex: number,
    count: number,
    includeMembers: boolean,
    sort?: SortRequest,
    registry: SchemaRegistry = this.registry,
  ): Promise<GroupPage> {
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
