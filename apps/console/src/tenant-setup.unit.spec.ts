import { describe, expect, it } from '@jest/globals';
import {
  connectionTestPath,
  connectionTestUserName,
  durationWords,
  EXAMPLE_SCHEMA,
  judgeConnectionTest,
  optionalDays,
  parseJsonObject,
  registrationOf,
  tokenStatusWords,
  userNameFilter,
} from './tenant-setup.js';

describe('Entra connection test', () => {
  it('filters on a random userName, quoted for the SCIM filter grammar and encoded in the query', () => {
    const userName = connectionTestUserName('3f2a');
    expect(userName).toBe('console-connection-test-3f2a@example.invalid');
    expect(userNameFilter(userName)).toBe('userName eq "console-connection-test-3f2a@example.invalid"');
    expect(userNameFilter('a"b\\c')).toBe('userName eq "a\\"b\\\\c"');
    const path = connectionTestPath(userName);
    expect(path).toBe('/scim/v2/Users?filter=userName%20eq%20%22console-connection-test-3f2a%40example.invalid%22');
    expect(new URL(path, 'http://gateway').searchParams.get('filter')).toBe(userNameFilter(userName));
  });

  it('passes on 200 with totalResults 0 only', () => {
    expect(judgeConnectionTest(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] })).toMatchObject({ passed: true, status: 200 });
    expect(judgeConnectionTest(200, { totalResults: 2 })).toMatchObject({ passed: false, summary: expect.stringContaining('found 2 user(s)') });
    expect(judgeConnectionTest(200, '<html>')).toMatchObject({ passed: false, summary: expect.stringContaining('without a SCIM ListResponse') });
  });

  it('fails with the status, scimType and detail of a SCIM error', () => {
    const refused = judgeConnectionTest(401, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'invalid bearer token' });
    expect(refused).toEqual({ passed: false, status: 401, scimType: undefined, detail: 'invalid bearer token', summary: expect.stringContaining('401, the token was refused') });
    expect(judgeConnectionTest(400, { scimType: 'invalidFilter', detail: 'bad filter' })).toMatchObject({ passed: false, scimType: 'invalidFilter', detail: 'bad filter' });
    expect(judgeConnectionTest(502, 'Bad Gateway')).toMatchObject({ passed: false, detail: 'Bad Gateway', summary: expect.stringContaining('server error') });
    expect(judgeConnectionTest(429, null).summary).toContain('rate limit');
  });
});

describe('words', () => {
  it.each([
    [0, '0 seconds'],
    [45, '45 seconds'],
    [3600, '1 hour'],
    [5400, '1 hour 30 minutes'],
    [86_400, '1 day'],
    [7 * 86_400 + 3 * 3600 + 5, '7 days 3 hours'],
    [-5, '0 seconds'],
  ])('durationWords(%p) is %p', (seconds, words) => {
    expect(durationWords(seconds)).toBe(words);
  });

  it('says each token status in words', () => {
    expect(tokenStatusWords('active', null)).toBe('active');
    expect(tokenStatusWords('rotated', '2030-01-01T00:00:00Z')).toContain('grace period');
    expect(tokenStatusWords('expired', '2030-01-01T00:00:00Z')).toBe('expired: refused');
    expect(tokenStatusWords('revoked', null)).toBe('revoked: refused');
  });
});

describe('form input', () => {
  it('reads an optional number of days', () => {
    expect(optionalDays('')).toEqual({ ok: true, days: undefined });
    expect(optionalDays(' 365 ')).toEqual({ ok: true, days: 365 });
    for (const bad of ['0', '3651', '1.5', 'soon', '-3']) expect(optionalDays(bad)).toMatchObject({ ok: false, message: expect.stringContaining('1 to 3650') });
  });

  it('parses a schema definition, or says why not before anything is sent', () => {
    expect(parseJsonObject(EXAMPLE_SCHEMA)).toMatchObject({ ok: true, value: { resourceType: 'User', schema: { name: 'Badge' } } });
    expect(parseJsonObject('   ')).toMatchObject({ ok: false, message: expect.stringContaining('empty') });
    expect(parseJsonObject('{"resourceType": "User",')).toMatchObject({ ok: false, message: expect.stringContaining('not valid JSON') });
    expect(parseJsonObject('[1]')).toMatchObject({ ok: false, message: expect.stringContaining('not an array') });
    expect(parseJsonObject('null')).toMatchObject({ ok: false, message: expect.stringContaining('not null') });
    expect(parseJsonObject('"x"')).toMatchObject({ ok: false, message: expect.stringContaining('not a string') });
  });

  it('turns a listed schema back into the body the API takes', () => {
    const listed = { tenantId: 'contoso', resourceType: 'Group', required: true, schema: { id: 'urn:x', name: 'X', attributes: [] }, updatedAt: '2030-01-01T00:00:00Z' };
    expect(JSON.parse(registrationOf(listed))).toEqual({ resourceType: 'Group', required: true, schema: { id: 'urn:x', name: 'X', attributes: [] } });
  });
});
