import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { UnauthorizedError } from '#scim/scim-error.js';
import { bearerTokenOf } from '../http/bearer-token.js';
import { AdminTokenService } from './admin-token.service.js';

export interface AdminRequest extends Request {
  requestId?: string;
  /** The admin token's id, set by AdminTokenGuard. */
  adminTokenId?: string;
}

/** Every /admin/v1 route: `Authorization: Bearer <admin token>`. A tenant's SCIM token is refused here. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(AdminTokenService) private readonly tokens: AdminTokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const token = bearerTokenOf(request.header('authorization'));
    if (!token) throw new UnauthorizedError('missing admin token: send "Authorization: Bearer <admin token>"');
    const tokenId = await this.tokens.authenticate(token);
    if (!tokenId) throw new UnauthorizedError('the admin token is not valid (unknown or revoked); SCIM tokens do not open the admin API');
    request.adminTokenId = tokenId;
    return true;
  }
}
