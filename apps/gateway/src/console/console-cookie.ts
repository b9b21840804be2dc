import type { Request, Response } from 'express';

/** The cookie's name over HTTPS: `__Host-` makes the browser refuse it unless Secure, Path=/ and without Domain. */
export const SECURE_COOKIE = '__Host-scim-console';
/** Over plain HTTP (a laptop, a test) browsers refuse `__Host-` cookies, so the session cookie has a plain name. */
export const PLAIN_COOKIE = 'scim-console';

/** Longest Cookie header read: beyond it the session cookie is not looked for (a session id is 43 characters). */
const MAX_COOKIE_HEADER = 8_192;

/** Secure when the request came over HTTPS (directly, or through a proxy on loopback: `trust proxy`) or the public URL is HTTPS. */
export function isSecureRequest(request: Request, publicBaseUrl: string): boolean {
  return request.secure || publicBaseUrl.startsWith('https://');
}

/** The console session id from the Cookie header, or undefined. */
export function sessionCookieOf(request: Request): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || header.length > MAX_COOKIE_HEADER) return undefined;
  let plain: string | undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name === SECURE_COOKIE) return value;
    if (name === PLAIN_COOKIE) plain = value;
  }
  return plain;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure over HTTPS. */
export function setSessionCookie(response: Response, sessionId: string, maxAgeSeconds: number, secure: boolean): void {
  const name = secure ? SECURE_COOKIE : PLAIN_COOKIE;
  response.append('Set-Cookie', `${name}=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(response: Response, secure: boolean): void {
  setSessionCookie(response, '', 0, secure);
}

/**
 * A browser's cross-site request carries an Origin naming the other site. The console's own calls carry this
 * host's origin (or none, for a same-origin GET). Checked on every cookie-authenticated change, next to the CSRF token.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
