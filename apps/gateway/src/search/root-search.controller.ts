import { Body, Controller, HttpCode, Inject, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { restrictFilterToType } from '#scim/filter/filter.restrict.js';
import { buildListResponse } from '#scim/messages/list-response.js';
import type { ResourceTypeName } from '#scim/schema/resource-type.js';
import { InvalidFilterError } from '#scim/scim-error.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { GroupsController } from '../groups/groups.controller.js';
import { BearerTokenGuard } from '../http/bearer-token.guard.js';
import { TenantReadLimit } from '../http/tenant-read-limit.js';
import { CallContext, type ScimCallContext } from '../http/request-context.js';
import { parseSearchRequest, type ListParameters } from '../http/scim-parameters.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import { UsersController } from '../users/users.controller.js';

type Page = { totalResults: number; Resources: readonly unknown[] };

/**
 * RFC 7644 §3.4.3: `POST /.search` at the root searches every resource type: users first, then groups, paged as
 * one list. A comparison on an attribute one type does not define is false for that type (filter.restrict.ts);
 * a filter no type understands is invalidFilter.
 */
@Controller(SCIM_BASE_PATH)
@UseGuards(BearerTokenGuard)
export class RootSearchController {
  constructor(
    @Inject(UsersController) private readonly users: UsersController,
    @Inject(GroupsController) private readonly groups: GroupsController,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('.search')
  @UseInterceptors(TenantReadLimit)
  @HttpCode(200)
  async search(@CallContext() context: ScimCallContext, @Body() body: unknown) {
    const parameters = parseSearchRequest(body, this.config.requestLimits);
    const searchers: [ResourceTypeName, (p: ListParameters) => Promise<unknown>][] = [
      ['User', (p) => this.users.search(context, p)],
      ['Group', (p) => this.groups.search(context, p)],
    ];
    const registry = this.registries.forTenant(context.tenantId);
    const restricted = searchers.map(([type]) => (parameters.filter ? restrictFilterToType(parameters.filter, registry, type) : true));
    if (restricted.every((filter) => filter === false)) {
      throw new InvalidFilterError('the filter names no attribute of any resource type (User, Group)');
    }
    const resources: unknown[] = [];
    let totalResults = 0;
    for (const [index, [, searcher]] of searchers.entries()) {
      const filter = restricted[index];
      if (filter === false) continue;
      // Skip this type's first (startIndex - 1 - earlier totals) results; take what is left of `count`.
      const skip = Math.max(0, parameters.startIndex - 1 - totalResults);
      const wanted = Math.max(0, parameters.count - resources.length);
      const page = (await searcher({ ...parameters, filter: filter === true ? undefined : filter, startIndex: skip + 1, count: wanted })) as Page;
      totalResults += page.totalResults;
      resources.push(...page.Resources);
    }
    return buildListResponse(resources, { totalResults, startIndex: parameters.startIndex });
  }
}
