import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { matchesIfNoneMatch, parseIfMatch, weakEtag } from '#scim/resource/etag.js';
import type { RequestLimits } from '#scim/messages/request-limits.js';
import { UsersQuery, type UserView } from '#read-model/users.query.js';
import { buildListResponse } from '#scim/messages/list-response.js';
import { returnsAttribute } from '#scim/resource/attribute-selection.js';
import { NotFoundError } from '#scim/scim-error.js';
import { BearerTokenGuard } from '../http/bearer-token.guard.js';
import { TenantReadLimit } from '../http/tenant-read-limit.js';
import { CallContext, type ScimCallContext } from '../http/request-context.js';
import { parseListParameters, parseAttributeSelection, parseSearchRequest, type ListParameters } from '../http/scim-parameters.js';
import { SchemaRegistries } from '../schemas/schema-registries.js';
import { SCIM_BASE_PATH } from '../scim-paths.js';
import { CreateUserCommand, DeleteUserCommand, UpdateUserCommand } from './user.commands.js';
import { parsePatchOperations, parseUserResource, type InputPolicy } from './user-input.js';
import { presentUser, type UserSnapshot } from './user.presenter.js';

/** RFC 7644 §3 for /Users: writes go through commands and events, reads through the read model. */
@Controller(`${SCIM_BASE_PATH}/Users`)
@UseGuards(BearerTokenGuard)
export class UsersController {
  private readonly baseUrl: string;
  private readonly unknownAttributes: InputPolicy['unknownAttributes'];
  private readonly limits: RequestLimits;

  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(UsersQuery) private readonly users: UsersQuery,
    @Inject(SchemaRegistries) private readonly registries: SchemaRegistries,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.baseUrl = `${config.publicBaseUrl}/${SCIM_BASE_PATH}`;
    this.unknownAttributes = config.unknownAttributes;
    this.limits = config.requestLimits;
  }

  /** RFC 7644 §3.3: 201 with the created resource, its Location and ETag. */
  @Post()
  @HttpCode(201)
  async create(
    @CallContext() context: ScimCallContext,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const user = await this.commands.execute(new CreateUserCommand(context, randomUUID(), parseUserResource(body, this.inputOf(context))));
    response.setHeader('Location', `${this.baseUrl}/Users/${user.id}`);
    return this.answer(context, user, query, response);
  }

  /** RFC 7644 §3.4.2: a filter with no match is 200 with totalResults 0, never 404. */
  @Get()
  @UseInterceptors(TenantReadLimit)
  list(@CallContext() context: ScimCallContext, @Query() query: Record<string, unknown>) {
    return this.search(context, parseListParameters(query, this.limits));
  }

  /** RFC 7644 §3.4.3: the same query as a SearchRequest body (keeps filters out of URLs and logs). */
  @Post('.search')
  @UseInterceptors(TenantReadLimit)
  @HttpCode(200)
  searchByPost(@CallContext() context: ScimCallContext, @Body() body: unknown) {
    return this.search(context, parseSearchRequest(body, this.limits));
  }

  async search(context: ScimCallContext, { filter, sort, startIndex, count, selection }: ListParameters) {
    const registry = this.registries.forTenant(context.tenantId);
    const withGroups = returnsAttribute(registry, 'User', selection, 'groups');
    const page = await this.users.search(context.tenantId, { filter, sort, startIndex, count, registry, withGroups });
    return buildListResponse(
      page.resources.map((user) => presentUser(snapshotOfView(user), this.baseUrl, registry, selection)),
      { totalResults: page.totalResults, startIndex },
    );
  }

  /** RFC 7644 §3.4.1; If-None-Match with the current version answers 304 without a body (§3.14). */
  @Get(':id')
  @UseInterceptors(TenantReadLimit)
  async get(
    @CallContext() context: ScimCallContext,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const selection = parseAttributeSelection(query, this.limits);
    const withGroups = returnsAttribute(this.registries.forTenant(context.tenantId), 'User', selection, 'groups');
    const user = await this.users.findById(context.tenantId, id, { withGroups });
    if (!user) throw new NotFoundError(`User ${id} not found`);
    if (matchesIfNoneMatch(ifNoneMatch, weakEtag(user.version))) {
      response.status(304).setHeader('ETag', weakEtag(user.version));
      return undefined;
    }
    return this.answer(context, snapshotOfView(user), query, response);
  }

  /** RFC 7644 §3.5.1: replace the whole resource; readOnly attributes in the body are ignored. */
  @Put(':id')
  async replace(
    @CallContext() context: ScimCallContext,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const change = { type: 'ReplaceUser' as const, attributes: parseUserResource(body, this.inputOf(context)) };
    const user = await this.commands.execute(new UpdateUserCommand(context, id, change, parseIfMatch(ifMatch)));
    return this.answer(context, user, query, response);
  }

  /** RFC 7644 §3.5.2: 200 with the resource (Entra accepts 200 or 204 for users). */
  @Patch(':id')
  async patch(
    @CallContext() context: ScimCallContext,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const change = { type: 'PatchUser' as const, operations: parsePatchOperations(body, this.limits), unknownAttributes: this.unknownAttributes };
    const user = await this.commands.execute(new UpdateUserCommand(context, id, change, parseIfMatch(ifMatch)));
    return this.answer(context, user, query, response);
  }

  /** RFC 7644 §3.6: 204; a user that does not exist (or was deleted) is 404. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@CallContext() context: ScimCallContext, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined) {
    await this.commands.execute(new DeleteUserCommand(context, id, parseIfMatch(ifMatch)));
  }

  private answer(context: ScimCallContext, user: UserSnapshot, query: Record<string, unknown>, response: Response) {
    response.setHeader('ETag', weakEtag(user.version));
    return presentUser(user, this.baseUrl, this.registries.forTenant(context.tenantId), parseAttributeSelection(query, this.limits));
  }

  /** Validation with the tenant's schemas (its own extensions on top of the deployment's). */
  private inputOf(context: ScimCallContext): InputPolicy {
    return { registry: this.registries.forTenant(context.tenantId), unknownAttributes: this.unknownAttributes };
  }
}

function snapshotOfView(user: UserView): UserSnapshot {
  return { ...user, createdAt: user.createdAt.toISOString(), lastModifiedAt: user.lastModifiedAt.toISOString() };
}
