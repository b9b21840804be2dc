import { InvalidValueError } from '#scim/scim-error.js';
import { assertTenantId, parseCreateTenant, parseCreateToken, parseRotateToken } from './tenancy-input.js';

const NOW = new Date('2030-01-01T00:00:00Z');

describe('tenant ids', () => {
  it.each(['default', 'contoso', 'a', '0', 'contoso-eu-2', 'a'.repeat(63)])('accepts %s', (id) => {
    expect(assertTenantId(id)).toBe(id);
  });

  it.each([
    ['a dot (stream names are <tenant>.user-<id>)', 'contoso.eu'],
    ['upper case', 'Contoso'],
    ['a leading hyphen', '-contoso'],
    ['64 characters', 'a'.repeat(64)],
    ['an empty id', ''],
    ['a space', 'con toso'],
    ['an underscore', 'con_toso'],
    ['a slash', 'a/b'],
    ['a non-string', 42],
  ])('refuses %s with 400 invalidValue', (_, id) => {
    expect(() => assertTenantId(id)).toThrow(InvalidValueError);
  });
});

describe('parseCreateTenant', () => {
  it('reads the id and an optional, trimmed displayName', () => {
    expect(parseCreateTenant({ id: 'contoso' })).toEqual({ id: 'contoso', displayName: null });
    expect(parseCreateTenant({ id: 'contoso', displayName: ' Contoso Ltd ' })).toEqual({ id: 'contoso', displayName: 'Contoso Ltd' });
  });

  it.each([
    ['no id', {}, /"id" is required/],
    ['a misspelt field', { id: 'contoso', display_name: 'x' }, /unknown field "display_name"/],
    ['a body that is not an object', ['contoso'], /JSON object/],
    ['a displayName that is not a string', { id: 'contoso', displayName: 5 }, /displayName/],
    ['a control character', { id: 'contoso', displayName: 'a\nb' }, /control characters/],
  ])('refuses %s', (_, body, message) => {
    expect(() => parseCreateTenant(body)).toThrow(message);
  });
});

describe('parseCreateToken', () => {
  it('defaults to no label and no expiry; an empty body is fine', () => {
    expect(parseCreateToken(undefined, NOW)).toEqual({ label: '', expiresAt: null });
    expect(parseCreateToken({}, NOW)).toEqual({ label: '', expiresAt: null });
  });

  it('takes expiresInDays from now, or expiresAt as an ISO date-time with a zone', () => {
    expect(parseCreateToken({ label: 'entra', expiresInDays: 90 }, NOW)).toEqual({ label: 'entra', expiresAt: new Date('2030-04-01T00:00:00Z') });
    expect(parseCreateToken({ expiresAt: '2030-06-30T12:00:00+02:00' }, NOW).expiresAt).toEqual(new Date('2030-06-30T10:00:00Z'));
  });

  it.each([
    ['both expiresAt and expiresInDays', { expiresAt: '2031-01-01T00:00:00Z', expiresInDays: 1 }, /not both/],
    ['expiresInDays 0', { expiresInDays: 0 }, /expiresInDays/],
    ['fractional expiresInDays', { expiresInDays: 1.5 }, /expiresInDays/],
    ['expiresInDays as text', { expiresInDays: '30' }, /expiresInDays/],
    ['a date without a time zone', { expiresAt: '2031-01-01T00:00:00' }, /time zone/],
    ['a bare date', { expiresAt: '2031-01-01' }, /time zone/],
    ['an impossible hour', { expiresAt: '2031-01-30T25:00:00Z' }, /not a valid date-time/],
    ['an impossible day', { expiresAt: '2031-02-30T10:00:00Z' }, /not a valid date-time/],
    ['month 13', { expiresAt: '2031-13-01T10:00:00Z' }, /not a valid date-time/],
    ['a past expiry', { expiresAt: '2029-12-31T23:59:59Z' }, /not in the future/],
    ['a token field (tokens are generated, never chosen)', { token: 'mine' }, /unknown field "token"/],
  ])('refuses %s', (_, body, message) => {
    expect(() => parseCreateToken(body, NOW)).toThrow(message);
  });
});

describe('parseRotateToken', () => {
  it('defaults the grace period to the configured one', () => {
    expect(parseRotateToken(undefined, NOW, 86_400)).toEqual({ gracePeriodSeconds: 86_400, label: null, expiresAt: null });
    expect(parseRotateToken({ gracePeriodSeconds: 0, label: 'next' }, NOW, 86_400)).toEqual({ gracePeriodSeconds: 0, label: 'next', expiresAt: null });
  });

  it.each([[-1], [1.5], ['60'], [366 * 86_400]])('refuses gracePeriodSeconds %p', (grace) => {
    expect(() => parseRotateToken({ gracePeriodSeconds: grace }, NOW, 60)).toThrow(/gracePeriodSeconds/);
  });
});
