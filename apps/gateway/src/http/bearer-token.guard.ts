import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import { bearerTokenOf } from './bearer-token.js';
import { ScimMetrics } from '#observability/metrics.js';
import { UnauthorizedError } from '#scim/scim-error.js';
import { TokenService } from '../tenancy/token.service.js';
import { RateLimitedError, ScimRateLimit } from './rate-limit.js';
import type { ScimRequest } from './request-context.js';

/**
 * RFC 7644 §2: every SCIM request carries `Authorization: Bearer <token>`; the token names the tenant. A token
 * that is unknown, revoked, expired (a rotated one past its grace period) or of a disabled tenant is 401. Then
 * the token's rate limit (RATE_LIMIT_PER_SECOND): 429 with Retry-After.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(ScimRateLimit) private readonly rateLimit: ScimRateLimit,
    @Inject(ScimMetrics) private readonly metrics: ScimMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const header = request.header('authorization');
    const token = bearerTokenOf(header);
    if (!token) {
      this.metrics.auth.failed('scim', header === undefined ? 'missing' : 'malformed');
      throw new UnauthorizedError('missing bearer token: send "Authorization: Bearer <token>"');
    }
    const authenticated = await this.tokens.check(token, new Date());
    if (typeof authenticated === 'string') {
      this.metrics.auth.failed('scim', authenticated);
      throw new UnauthorizedError('the bearer token is not valid (unknown, revoked or expired, or its tenant is disabled)');
    }
    // Set before the rate limit, so a 429 is still attributed to its tenant and token (provisioning log).
    request.scimAuth = authenticated;
    try {
      this.rateLimit.check(authenticated.tokenId);
    } catch (error) {
      // The exception filter renders the SCIM error; the header is the one thing it does not know to add.
      if (error instanceof RateLimitedError) {
        this.metrics.rateLimit.refused('token_rate', authenticated.tenantId);
        context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      throw error;
    }
    return true;
  }
}
