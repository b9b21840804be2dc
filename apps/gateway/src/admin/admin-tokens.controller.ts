import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { parseCreateAdminToken } from '../tenancy/tenancy-input.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { AdminTokenService, type AdminTokenView, type IssuedAdminToken } from './admin-token.service.js';
import { ADMIN_BASE_PATH } from './admin.paths.js';

/** /admin/v1/admin-tokens (docs/admin.md "Admin tokens"): the admin API's own tokens. */
@Controller(`${ADMIN_BASE_PATH}/admin-tokens`)
@UseGuards(AdminTokenGuard)
export class AdminTokensController {
  constructor(@Inject(AdminTokenService) private readonly tokens: AdminTokenService) {}

  @Get()
  async list(): Promise<{ tokens: AdminTokenView[] }> {
    return { tokens: await this.tokens.list() };
  }

  /** 201 with the token in `token`: shown only in this answer, only its hash is stored. */
  @Post()
  @HttpCode(201)
  create(@Body() body: unknown): Promise<IssuedAdminToken> {
    return this.tokens.create(parseCreateAdminToken(body).label);
  }

  /** 200 with the token, now revoked; 409 for the last active one. */
  @Post(':tokenId/revoke')
  @HttpCode(200)
  revoke(@Param('tokenId') tokenId: string): Promise<AdminTokenView> {
    return this.tokens.revoke(tokenId);
  }
}
