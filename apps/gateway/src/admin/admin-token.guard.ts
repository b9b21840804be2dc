import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ScimMetrics } from '#observability/metrics.js';
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
  constructor(
    @Inject(AdminTokenService) private readonly tokens: AdminTokenService,
    @Inject(ScimMetrics) private readonly metrics: ScimMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const header = request.header('authorization');
    const token = bearerTokenOf(header);
    if (!token) {
      this.metrics.auth.failed('admin', header === undefined ? 'missing' : 'malformed');
      throw new UnauthorizedError('missing admin token: send "Authorization: Bearer <admin token>"');
    }
    const checked = await this.tokens.authenticate(token);
    if ('refused' in checked) {
      this.metrics.auth.failed('admin', checked.refused);
      throw new UnauthorizedError('the admin token is not valid (unknown or revoked); SCIM tokens do not open the admin API');
    }
    request.adminTokenId = checked.tokenId;
    return true;
  }
}
