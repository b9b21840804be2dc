import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { GroupsQuery, type GroupMemberCount, type GroupView } from '#read-model/groups.query.js';
import { UsersQuery, type UserView } from '#read-model/users.query.js';
import { buildListResponse, type ListResponse } from '#scim/messages/list-response.js';
import { parsePagination } from '#scim/messages/pagination.js';
import type { RequestLimits } from '#scim/messages/request-limits.js';
import { NotFoundError } from '#scim/scim-error.js';
import { AdminTokenGuard } from '../admin/admin-token.guard.js';
import { ADMIN_BASE_PATH } from '../admin/admin.paths.js';
import { presentGroup } from '../groups/group.presenter.js';
import { PAGE_LIMITS, parseListParameters } from '../http/scim-parameters.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import { requireTenant } from '../tenancy/tenants.service.js';
import { presentUser } from '../users/user.presenter.js';

/** A list page counts each group's members up to this many ("1,000 or more"): docs/admin.md "Directory". */
export const LIST_MEMBER_COUNT_CAP = 1_000;

/** `GET .../directory/Groups`: a SCIM ListResponse of groups without members, and their member counts (capped). */
export type DirectoryGroupList = ListResponse<Record<string, unknown>> & { readonly memberCounts: Record<string, GroupMemberCount> };

/** `GET .../directory/Groups/:id`: the group as SCIM presents it without `members`, and how many it has. */
export interface DirectoryGroup {
  readonly resource: Record<string, unknown>;
  readonly memberCount: number;
}

/** `GET .../directory/Groups/:id/members`: one page of members in member id order. */
export interface DirectoryMemberPage {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  /** `name`: the member's userName or displayName as it is now (`display` is what the client sent, often nothing). */
  readonly members: readonly { readonly value: string; readonly type: string | null; readonly display: string | null; readonly name: string | null; readonly $ref: string }[];
}

/**
 * A tenant's users and groups through the admin API, read-only (docs/admin.md "Directory"): what the console's
 * directory shows without holding the tenant's SCIM token. The same read model, filter language, limits and
 * presentation as the tenant's own SCIM API; a group's members are paged here instead of coming whole.
 */
@Controller(`${ADMIN_BASE_PATH}/tenants/:tenantId/directory`)
@UseGuards(AdminTokenGuard)
export class DirectoryController {
  private readonly baseUrl: string;
  private readonly limits: RequestLimits;

  constructor(
    @Inject(UsersQuery) private readonly users: UsersQuery,
    @Inject(GroupsQuery) private readonly groups: GroupsQuery,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.baseUrl = `${config.publicBaseUrl}/${SCIM_BASE_PATH}`;
    this.limits = config.requestLimits;
  }

  /** filter, sortBy, sortOrder, startIndex, count, attributes as in `GET /scim/v2/Users` (RFC 7644 §3.4.2). */
  @Get('Users')
  async listUsers(@Param('tenantId') tenantId: string, @Query() query: Record<string, unknown>): Promise<ListResponse<Record<string, unknown>>> {
    const { filter, sort, startIndex, count, selection } = parseListParameters(query, this.limits);
    await requireTenant(this.dataSource, tenantId);
    const registry = this.registries.forTenant(tenantId);
    const page = await this.users.search(tenantId, { filter, sort, startIndex, count, registry });
    return buildListResponse(
      page.resources.map((user) => presentUser(snapshotOfUser(user), this.baseUrl, registry, selection)),
      { totalResults: page.totalResults, startIndex },
    );
  }

  /** The user as `GET /scim/v2/Users/:id` presents it, with its groups (direct and indirect). */
  @Get('Users/:id')
  async getUser(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<Record<string, unknown>> {
    await requireTenant(this.dataSource, tenantId);
    const user = await this.users.findById(tenantId, id, { withGroups: true });
    if (!user) throw new NotFoundError(`User ${id} not found in tenant "${tenantId}"`);
    return presentUser(snapshotOfUser(user), this.baseUrl, this.registries.forTenant(tenantId));
  }

  /** As `GET /scim/v2/Groups?excludedAttributes=members`, with each group's member count (up to LIST_MEMBER_COUNT_CAP). */
  @Get('Groups')
  async listGroups(@Param('tenantId') tenantId: string, @Query() query: Record<string, unknown>): Promise<DirectoryGroupList> {
    const { filter, sort, startIndex, count, selection } = parseListParameters(query, this.limits);
    await requireTenant(this.dataSource, tenantId);
    const registry = this.registries.forTenant(tenantId);
    const page = await this.groups.search(tenantId, { filter, sort, startIndex, count, registry });
    const counts = await this.groups.memberCounts(tenantId, page.resources.map((group) => group.id), LIST_MEMBER_COUNT_CAP);
    return {
      ...buildListResponse(
        page.resources.map((group) => presentGroup(snapshotOfGroup(group), this.baseUrl, registry, selection)),
        { totalResults: page.totalResults, startIndex },
      ),
      memberCounts: Object.fromEntries(counts),
    };
  }

  /** The group without its members (they are paged: `Groups/:id/members`), and its exact member count. */
  @Get('Groups/:id')
  async getGroup(@Param('tenantId') tenantId: string, @Param('id') id: string): Promise<DirectoryGroup> {
    await requireTenant(this.dataSource, tenantId);
    const group = await this.groups.findById(tenantId, id, false);
    if (!group) throw new NotFoundError(`Group ${id} not found in tenant "${tenantId}"`);
    const { totalResults } = await this.groups.memberPage(tenantId, id, 1, 0);
    return { resource: presentGroup(snapshotOfGroup(group), this.baseUrl, this.registries.forTenant(tenantId)), memberCount: totalResults };
  }

  /** startIndex (1-based) and count (default 100, at most 1,000) as in SCIM paging; members in member id order. */
  @Get('Groups/:id/members')
  async groupMembers(@Param('tenantId') tenantId: string, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<DirectoryMemberPage> {
    const { startIndex, count } = parsePagination({ startIndex: single(query, 'startIndex'), count: single(query, 'count') }, PAGE_LIMITS);
    await requireTenant(this.dataSource, tenantId);
    const group = await this.groups.findById(tenantId, id, false);
    if (!group) throw new NotFoundError(`Group ${id} not found in tenant "${tenantId}"`);
    const page = await this.groups.memberPage(tenantId, id, startIndex, count);
    return {
      totalResults: page.totalResults,
      startIndex,
      itemsPerPage: page.members.length,
      members: page.members.map((member) => ({
        value: member.value,
        type: member.type,
        display: member.display,
        name: member.name,
        $ref: `${this.baseUrl}/${member.type === 'Group' ? 'Groups' : 'Users'}/${member.value}`,
      })),
    };
  }
}

function snapshotOfUser(user: UserView) {
  return { ...user, createdAt: user.createdAt.toISOString(), lastModifiedAt: user.lastModifiedAt.toISOString() };
}

function snapshotOfGroup(group: GroupView) {
  return { ...group, createdAt: group.createdAt.toISOString(), lastModifiedAt: group.lastModifiedAt.toISOString() };
}

/** A query parameter given at most once (a repeated one is an array, which parsePagination reports as not an integer). */
function single(query: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : query[key];
}
