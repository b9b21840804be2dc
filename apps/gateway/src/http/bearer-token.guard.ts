import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { UnauthorizedError } from '#scim/scim-error.js';
import { TokenService } from '../tenancy/token.service.js';
import type { ScimRequest } from './request-context.js';

/** RFC 7644 §2: every SCIM request carries `Authorization: Bearer <token>`; the token names the tenant. */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const header = request.header('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError('missing bearer token: send "Authorization: Bearer <token>"');
    const authenticated = await this.tokens.authenticate(match[1], new Date());
    if (!authenticated) throw new UnauthorizedError('the bearer token is not valid (unknown, revoked or expired)');
    request.scimAuth = authenticated;
    return true;
  }
}
