import { describe, expect, it } from '@jest/globals';
import { apiQueryOf, conflictOf, filtersOf, LOG_PAGE_SIZE, statusPhrase } from './log-query.js';

describe('the log filters in the console URL', () => {
  it('keeps the admin API’s filter names, leaves out empty values and anything else', () => {
    const query = new URLSearchParams('status=409&resourceType=User&resourceId=&since=2030-01-31T09:00:00.000Z&dryRun=false&junk=1&cursor=abc');
    expect(filtersOf(query)).toEqual({ status: '409', resourceType: 'User', since: '2030-01-31T09:00:00.000Z', dryRun: 'false' });
  });

  it('asks the API for one page, with the cursor when paging', () => {
    expect(apiQueryOf(new URLSearchParams('status=4xx'))).toEqual({ status: '4xx', limit: LOG_PAGE_SIZE });
    expect(apiQueryOf(new URLSearchParams('status=4xx&cursor=WyIy'))).toEqual({ status: '4xx', limit: LOG_PAGE_SIZE, cursor: 'WyIy' });
  });
});

describe('statuses in words', () => {
  it('says the number, its name and its class', () => {
    expect(statusPhrase(409)).toBe('409 Conflict (client error)');
    expect(statusPhrase(201)).toBe('201 Created (success)');
    expect(statusPhrase(503)).toBe('503 Service Unavailable (server error)');
    expect(statusPhrase(418)).toBe('418 (client error)');
  });
});

describe('a uniqueness conflict’s detail', () => {
  it('names the attribute and value in use', () => {
    expect(conflictOf('userName "ann@contoso.com" is already in use by another resource')).toEqual({ attribute: 'userName', value: 'ann@contoso.com' });
    expect(conflictOf('user u-1 already exists')).toBeNull();
    expect(conflictOf(null)).toBeNull();
  });
});
