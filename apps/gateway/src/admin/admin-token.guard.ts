import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ScimMetrics } from '#observability/metrics.js';
import { ScimError, UnauthorizedError } from '#scim/scim-error.js';
import { bearerTokenOf } from '../http/bearer-token.js';
import { isSameOrigin, sessionCookieOf } from '../console/console-cookie.js';
import { csrfMatches, ConsoleSessionService, type ConsoleSession } from '../console/console-session.service.js';
import { AdminTokenService } from './admin-token.service.js';

export interface AdminRequest extends Request {
  requestId?: string;
  /** The admin token's id, set by AdminTokenGuard. */
  adminTokenId?: string;
  /** Set when the request was authenticated by a console session cookie rather than a bearer token. */
  consoleSession?: ConsoleSession;
}

/** Methods that change nothing: a console session may use them without its CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The header the console sends its CSRF token in (docs/console.md "Sessions"). */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Every /admin/v1 route: `Authorization: Bearer <admin token>`, or the console's session cookie (docs/console.md).
 * A tenant's SCIM token is refused here. A cookie alone changes nothing: every other method than GET/HEAD needs
 * the session's CSRF token in X-CSRF-Token, and a browser's Origin naming another site is refused.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    @Inject(AdminTokenService) private readonly tokens: AdminTokenService,
    @Inject(ScimMetrics) private readonly metrics: ScimMetrics,
    @Optional() @Inject(ConsoleSessionService) private readonly sessions: ConsoleSessionService | null = null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const header = request.header('authorization');
    const cookie = this.sessions && header === undefined ? sessionCookieOf(request) : undefined;
    if (cookie !== undefined && this.sessions) return this.bySession(request, this.sessions, cookie);
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

  private async bySession(request: AdminRequest, sessions: ConsoleSessionService, cookie: string): Promise<boolean> {
    const session = await sessions.find(cookie);
    if (!session) {
      this.metrics.auth.failed('admin', 'session');
      throw new UnauthorizedError('the console session has ended (signed out, expired, or its admin token revoked): sign in again');
    }
    if (!SAFE_METHODS.has(request.method)) {
      if (!isSameOrigin(request)) {
        this.metrics.auth.failed('admin', 'origin');
        throw new ScimError(403, undefined, 'refused: this change comes from a page of another origin');
      }
      const given = request.header(CSRF_HEADER);
      if (!csrfMatches(session.csrfToken, given)) {
        this.metrics.auth.failed('admin', 'csrf');
        throw new ScimError(403, undefined, `refused: a change made with the console session needs the session's CSRF token in ${CSRF_HEADER}`);
      }
    }
    request.adminTokenId = session.adminTokenId;
    request.consoleSession = session;
    return true;
  }
}
