import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '#config/gateway.config.js';
import { ScimMetrics } from '#observability/metrics.js';
import { InvalidValueError, ScimError, UnauthorizedError } from '#scim/scim-error.js';
import { AdminTokenGuard, type AdminRequest } from '../admin/admin-token.guard.js';
import { AdminTokenService } from '../admin/admin-token.service.js';
import { ADMIN_BASE_PATH } from '../admin/admin.paths.js';
import { TokenBucketLimiter } from '../http/rate-limit.js';
import { clearSessionCookie, isSameOrigin, isSecureRequest, sessionCookieOf, setSessionCookie } from './console-cookie.js';
import { ConsoleSessionService, type ConsoleSession } from './console-session.service.js';

/** Sign-in attempts per client address: a burst of 10, then one every 6 seconds (docs/console.md "Sessions"). */
const SIGN_IN_BURST = 10;
const SIGN_IN_PER_SECOND = 1 / 6;
/** Longer than any admin token the gateway issues or accepts; longer input is refused before it is hashed. */
const MAX_TOKEN_LENGTH = 512;

/** What the console learns about its own session; the CSRF token is for its memory only, never for storage. */
export interface ConsoleSessionView {
  readonly adminTokenId: string;
  readonly adminTokenLabel: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

/**
 * `/admin/v1/session`: the console's sign-in (POST, with an admin token), its session (GET) and sign-out
 * (DELETE). The session lives in an HttpOnly, SameSite=Strict cookie; the admin token is checked once, here, and
 * never returned or kept by the browser.
 */
@Controller(`${ADMIN_BASE_PATH}/session`)
export class ConsoleSessionController {
  private readonly attempts = new TokenBucketLimiter(SIGN_IN_PER_SECOND, SIGN_IN_BURST);

  constructor(
    @Inject(ConsoleSessionService) private readonly sessions: ConsoleSessionService,
    @Inject(AdminTokenService) private readonly tokens: AdminTokenService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ScimMetrics) private readonly metrics: ScimMetrics,
  ) {}

  /** Body: `{"token": "<admin token>"}` as application/json (a cross-site form cannot send that). */
  @Post()
  @HttpCode(201)
  async signIn(@Req() request: Request, @Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<ConsoleSessionView> {
    if (!isSameOrigin(request)) throw new ScimError(403, undefined, 'refused: sign-in comes from a page of another origin');
    const limited = this.attempts.take(request.ip ?? 'unknown');
    if (!limited.allowed) {
      response.setHeader('Retry-After', String(limited.retryAfterSeconds));
      throw new ScimError(429, undefined, `too many sign-in attempts from this address; try again in ${limited.retryAfterSeconds} s`);
    }
    const token = (body as { token?: unknown } | null)?.token;
    if (typeof token !== 'string' || token.trim() === '') {
      throw new InvalidValueError('send {"token": "<admin token>"} as application/json: the admin token printed at first start, or ADMIN_TOKEN');
    }
    if (token.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('that admin token is not valid (unknown or revoked)');
    const checked = await this.tokens.authenticate(token.trim());
    if ('refused' in checked) {
      this.metrics.auth.failed('admin', checked.refused);
      throw new UnauthorizedError('that admin token is not valid (unknown or revoked); a tenant\'s SCIM token does not open the console');
    }
    const session = await this.sessions.start(checked.tokenId);
    const secure = isSecureRequest(request, this.config.publicBaseUrl);
    setSessionCookie(response, session.sessionId, this.config.consoleSessionMaxHours * 3600, secure);
    response.setHeader('Cache-Control', 'no-store');
    return viewOf(session);
  }

  @Get()
  @UseGuards(AdminTokenGuard)
  current(@Req() request: AdminRequest, @Res({ passthrough: true }) response: Response): ConsoleSessionView {
    if (!request.consoleSession) throw new UnauthorizedError('no console session: this route answers the console\'s cookie, not a bearer token');
    response.setHeader('Cache-Control', 'no-store');
    return viewOf(request.consoleSession);
  }

  /** Sign-out: the session ends in every gateway at once (it is a database row), and the cookie is cleared. */
  @Delete()
  @HttpCode(204)
  @UseGuards(AdminTokenGuard)
  async signOut(@Req() request: AdminRequest, @Res({ passthrough: true }) response: Response): Promise<void> {
    const cookie = sessionCookieOf(request);
    if (cookie !== undefined) await this.sessions.end(cookie);
    clearSessionCookie(response, isSecureRequest(request, this.config.publicBaseUrl));
  }
}

function viewOf(session: ConsoleSession): ConsoleSessionView {
  return {
    adminTokenId: session.adminTokenId,
    adminTokenLabel: session.adminTokenLabel,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
}
