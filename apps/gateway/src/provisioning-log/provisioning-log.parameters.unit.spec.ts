import { describe, expect, it } from '@jest/globals';
import { ScimError } from '#scim/scim-error.js';
import { encodeCursor, parseEntryId, parseProvisioningLogQuery } from './provisioning-log.parameters.js';

const refusal = (query: Record<string, unknown>): string => {
  try {
    parseProvisioningLogQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    return (error as ScimError).detail;
  }
  throw new Error('accepted');
};

describe('the provisioning log query string', () => {
  it('defaults to the newest 100', () => {
    expect(parseProvisioningLogQuery({})).toEqual({ filter: {}, limit: 100, after: undefined });
  });

  it('reads every filter', () => {
    const cursor = encodeCursor({ at: '2026-03-01T12:00:00.123000Z', id: '42' });
    expect(
      parseProvisioningLogQuery({
        status: '4xx',
        resourceType: 'users',
        resourceId: 'u-1',
        since: '2026-03-01T00:00:00Z',
        until: '2026-03-02',
        dryRun: 'true',
        limit: '5',
        cursor,
      }),
    ).toEqual({
      filter: {
        status: { from: 400, to: 499 },
        resourceType: 'User',
        resourceId: 'u-1',
        since: new Date('2026-03-01T00:00:00Z'),
        until: new Date('2026-03-02T00:00:00Z'),
        dryRun: true,
      },
      limit: 5,
      after: { at: '2026-03-01T12:00:00.123000Z', id: '42' },
    });
    expect(parseProvisioningLogQuery({ status: '404' }).filter.status).toEqual({ from: 404, to: 404 });
  });

  it.each([
    [{ status: '4x' }, /status="4x" must be an HTTP status/],
    [{ status: '99' }, /status/],
    [{ resourceType: 'Widget' }, /resourceType="Widget" is not one of User, Group/],
    [{ since: 'yesterday' }, /since="yesterday" must be an ISO 8601 time/],
    [{ until: '2026-13-45T00:00:00Z' }, /until=/],
    [{ since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' }, /since .* must be before until/],
    [{ dryRun: 'yes' }, /dryRun="yes" must be true or false/],
    [{ limit: '0' }, /limit="0" must be an integer from 1 to 1000/],
    [{ limit: '1001' }, /limit/],
    [{ limit: '2.5' }, /limit/],
    [{ cursor: 'not-a-cursor' }, /cursor is not one this API returned/],
    [{ status: ['400', '401'] }, /"status" may be given once/],
    [{ resource_type: 'User' }, /unknown parameter "resource_type"/],
  ])('refuses %j', (query, message) => {
    expect(refusal(query)).toMatch(message);
  });
});

describe('an entry id in the path', () => {
  it('is a whole number that fits the bigint column', () => {
    expect(parseEntryId('1742')).toBe('1742');
    expect(parseEntryId('007')).toBe('7');
    expect(parseEntryId('9223372036854775807')).toBe('9223372036854775807');
  });

  it('anything else is a 400 that says what an id is', () => {
    for (const id of ['abc', '-1', '1.5', '', '9223372036854775808', '1'.repeat(20), '12 ']) {
      let refused: ScimError | undefined;
      try {
        parseEntryId(id);
      } catch (error) {
        refused = error as ScimError;
      }
      expect(refused).toBeInstanceOf(ScimError);
      expect(refused!.status).toBe(400);
      expect(refused!.detail).toContain('not an id of the provisioning log');
    }
  });
});
