import type { Request } from 'express';
import { isSameOrigin, sessionCookieOf } from './console-cookie.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as Request;

describe('console cookie', () => {
  it('finds the session cookie among others, preferring the __Host- one', () => {
    expect(sessionCookieOf(request({ cookie: 'a=1; scim-console=abc; b=2' }))).toBe('abc');
    expect(sessionCookieOf(request({ cookie: 'scim-console=plain; __Host-scim-console=secure' }))).toBe('secure');
    expect(sessionCookieOf(request({ cookie: 'other=1' }))).toBeUndefined();
    expect(sessionCookieOf(request({}))).toBeUndefined();
  });

  it('does not read a Cookie header longer than any browser sends for this site', () => {
    expect(sessionCookieOf(request({ cookie: `x=${'y'.repeat(9000)}; scim-console=abc` }))).toBeUndefined();
  });

  it('compares the Origin with the Host: absent is same-origin, another site or garbage is not', () => {
    expect(isSameOrigin(request({ host: 'gw.example:3000' }))).toBe(true);
    expect(isSameOrigin(request({ host: 'gw.example:3000', origin: 'http://gw.example:3000' }))).toBe(true);
    expect(isSameOrigin(request({ host: 'gw.example:3000', origin: 'https://evil.example' }))).toBe(false);
    expect(isSameOrigin(request({ host: 'gw.example:3000', origin: 'null' }))).toBe(false);
    expect(isSameOrigin(request({ origin: 'http://gw.example:3000' }))).toBe(false);
  });
});
