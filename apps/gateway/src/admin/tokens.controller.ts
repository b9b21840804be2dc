import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { parseCreateToken, parseRotateToken } from '../tenancy/tenancy-input.js';
import { ScimTokensService, type IssuedToken, type RotatedToken, type TokenView } from '../tenancy/scim-tokens.service.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { ADMIN_BASE_PATH } from './admin.paths.js';

/** /admin/v1/tenants/{tenantId}/tokens (docs/admin.md "SCIM tokens"). */
@Controller(`${ADMIN_BASE_PATH}/tenants/:tenantId/tokens`)
@UseGuards(AdminTokenGuard)
export class TokensController {
  constructor(
    @Inject(ScimTokensService) private readonly tokens: ScimTokensService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** 201 with the token in `token`: shown only in this answer, only its hash is stored. */
  @Post()
  @HttpCode(201)
  create(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<IssuedToken> {
    return this.tokens.create(tenantId, parseCreateToken(body, new Date()));
  }

  @Get()
  async list(@Param('tenantId') tenantId: string): Promise<{ tokens: TokenView[] }> {
    return { tokens: await this.tokens.list(tenantId) };
  }

  /** 201 with the new token (shown once); the old one works for `gracePeriodSeconds` (default TOKEN_ROTATION_GRACE_SECONDS). */
  @Post(':tokenId/rotate')
  @HttpCode(201)
  rotate(@Param('tenantId') tenantId: string, @Param('tokenId') tokenId: string, @Body() body: unknown): Promise<RotatedToken> {
    return this.tokens.rotate(tenantId, tokenId, parseRotateToken(body, new Date(), this.config.tokenRotationGraceSeconds));
  }

  /** Refused at once by this process; by other gateway processes within TOKEN_CACHE_MS. */
  @Post(':tokenId/revoke')
  @HttpCode(200)
  revoke(@Param('tenantId') tenantId: string, @Param('tokenId') tokenId: string): Promise<TokenView> {
    return this.tokens.revoke(tenantId, tokenId);
  }
}
