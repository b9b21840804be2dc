import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { matchesIfNoneMatch, parseIfMatch, weakEtag } from '#scim/resource/etag.js';
import type { RequestLimits } from '#scim/messages/request-limits.js';
import { GroupsQuery, type GroupView } from '#read-model/groups.query.js';
import { buildListResponse } from '#scim/messages/list-response.js';
import { NotFoundError } from '#scim/scim-error.js';
import { BearerTokenGuard } from '../http/bearer-token.guard.js';
import { TenantReadLimit } from '../http/tenant-read-limit.js';
import { CallContext, type ScimCallContext } from '../http/request-context.js';
import { parseListParameters, parseAttributeSelection, parseSearchRequest, type ListParameters } from '../http/scim-parameters.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import { parsePatchOperations, type InputPolicy } from '../users/user-input.js';
import { CreateGroupCommand, DeleteGroupCommand, UpdateGroupCommand } from './group.commands.js';
import { parseGroupResource } from './group-input.js';
import type { AttributeSelection } from '#scim/resource/attribute-selection.js';
import { membersRequested, presentGroup, type GroupSnapshot } from './group.presenter.js';

/** RFC 7644 §3 for /Groups. Members are read only when the response shows them. */
@Controller(`${SCIM_BASE_PATH}/Groups`)
@UseGuards(BearerTokenGuard)
export class GroupsController {
  private readonly baseUrl: string;
  private readonly unknownAttributes: InputPolicy['unknownAttributes'];
  private readonly limits: RequestLimits;

  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(GroupsQuery) private readonly groups: GroupsQuery,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.baseUrl = `${config.publicBaseUrl}/${SCIM_BASE_PATH}`;
    this.unknownAttributes = config.unknownAttributes;
    this.limits = config.requestLimits;
  }

  @Post()
  @HttpCode(201)
  async create(@CallContext() context: ScimCallContext, @Body() body: unknown, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const { attributes, members } = parseGroupResource(body, this.inputOf(context));
    const group = await this.commands.execute(new CreateGroupCommand(context, randomUUID(), attributes, members));
    response.setHeader('Location', `${this.baseUrl}/Groups/${group.id}`);
    return this.answer(context, group, query, response);
  }

  /** Entra: `GET /Groups?excludedAttributes=members&filter=displayName eq "<name>"`; members are not read then. */
  @Get()
  @UseInterceptors(TenantReadLimit)
  list(@CallContext() context: ScimCallContext, @Query() query: Record<string, unknown>) {
    return this.search(context, parseListParameters(query, this.limits));
  }

  /** RFC 7644 §3.4.3. */
  @Post('.search')
  @UseInterceptors(TenantReadLimit)
  @HttpCode(200)
  searchByPost(@CallContext() context: ScimCallContext, @Body() body: unknown) {
    return this.search(context, parseSearchRequest(body, this.limits));
  }

  async search(context: ScimCallContext, { filter, sort, startIndex, count, selection }: ListParameters) {
    const registry = this.registries.forTenant(context.tenantId);
    const page = await this.groups.search(context.tenantId, { filter, sort, startIndex, count, registry, includeMembers: membersRequested(selection) });
    return buildListResponse(
      page.resources.map((group) => presentGroup(snapshotOfView(group), this.baseUrl, registry, selection)),
      { totalResults: page.totalResults, startIndex },
    );
  }

  @Get(':id')
  @UseInterceptors(TenantReadLimit)
  async get(
    @CallContext() context: ScimCallContext,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const group = await this.groups.findById(context.tenantId, id, membersRequested(parseAttributeSelection(query, this.limits)));
    if (!group) throw new NotFoundError(`Group ${id} not found`);
    if (matchesIfNoneMatch(ifNoneMatch, weakEtag(group.version))) {
      response.status(304).setHeader('ETag', weakEtag(group.version));
      return undefined;
    }
    return this.answer(context, snapshotOfView(group), query, response);
  }

  @Put(':id')
  async replace(
    @CallContext() context: ScimCallContext,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { attributes, members } = parseGroupResource(body, this.inputOf(context));
    const group = await this.commands.execute(new UpdateGroupCommand(context, id, { type: 'ReplaceGroup', attributes, members }, parseIfMatch(ifMatch)));
    return this.answer(context, group, query, response);
  }

  /**
   * RFC 7644 §3.5.2 allows 204, which Entra recommends for groups: answering with the resource would mean reading
   * every member of a large group after each one-member change. The group comes back (200) only when the client
   * asks for it with `attributes` or `excludedAttributes` (RFC 7644 §3.9), or when unknown member ids were
   * skipped (tenant policy `skip`), so the client sees what was applied rather than assume all of it was.
   */
  @Patch(':id')
  async patch(
    @CallContext() context: ScimCallContext,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const selection = parseAttributeSelection(query, this.limits); // refused before anything is stored
    const operations = parsePatchOperations(body, this.limits);
    const group: GroupSnapshot = await this.commands.execute(
      new UpdateGroupCommand(context, id, { type: 'PatchGroup', operations, unknownAttributes: this.unknownAttributes }, parseIfMatch(ifMatch)),
    );
    response.setHeader('ETag', weakEtag(group.version));
    const asked = query['attributes'] !== undefined || query['excludedAttributes'] !== undefined;
    if (!asked && (context.outcome.skippedMembers?.count ?? 0) === 0) {
      response.status(204);
      return undefined;
    }
    response.status(200);
    return presentGroup(await this.withMembersIfShown(context, group, selection), this.baseUrl, this.registries.forTenant(context.tenantId), selection);
  }

  /**
   * The write side keeps member ids only; their type and display live in the read model, which has this very
   * version once the write has settled. A dry run (nothing in the read model) or a write answered before the read
   * model caught up (READ_YOUR_WRITES_TIMEOUT_MS) shows the group without `members` rather than a stale list.
   */
  private async withMembersIfShown(context: ScimCallContext, group: GroupSnapshot, selection: AttributeSelection): Promise<GroupSnapshot> {
    if (!membersRequested(selection) || context.dryRun) return group;
    const view = await this.groups.findById(context.tenantId, group.id, true);
    return view !== null && view.version === group.version ? snapshotOfView(view) : group;
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CallContext() context: ScimCallContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.commands.execute(new DeleteGroupCommand(context, id, parseIfMatch(ifMatch)));
  }

  private answer(context: ScimCallContext, group: GroupSnapshot, query: Record<string, unknown>, response: Response) {
    response.setHeader('ETag', weakEtag(group.version));
    return presentGroup(group, this.baseUrl, this.registries.forTenant(context.tenantId), parseAttributeSelection(query, this.limits));
  }

  /** Validation with the tenant's schemas (its own extensions on top of the deployment's). */
  private inputOf(context: ScimCallContext): InputPolicy {
    return { registry: this.registries.forTenant(context.tenantId), unknownAttributes: this.unknownAttributes };
  }
}

function snapshotOfView(group: GroupView): GroupSnapshot {
  return { ...group, createdAt: group.createdAt.toISOString(), lastModifiedAt: group.lastModifiedAt.toISOString() };
}
