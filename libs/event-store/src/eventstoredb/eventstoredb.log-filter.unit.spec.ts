import { describe, expect, it } from '@jest/globals';
import { escapeRegex, isSystemEvent, matchesLogFilter, serverSideFilter } from './eventstoredb.log-filter.js';

describe('isSystemEvent', () => {
  it.each([
    ['$ce-tenant', '$>', true],
    ['$$tenant.user-1', '$metadata', true],
    ['$stats-127.0.0.1:2113', '$statsCollection', true],
    ['tenant.user-1', '$>', true],
    ['$user-admin', 'UserCreated', true],
    ['tenant.user-1', 'UserCreated', false],
    ['tenant.unique-userName-a%24b', 'UniqueKeyReserved', false],
  ])('%s / %s: %s', (stream, type, system) => {
    expect(isSystemEvent(stream, type)).toBe(system);
  });
});

describe('matchesLogFilter', () => {
  it.each([
    [{}, 'a.user-1', 'UserCreated', true],
    [{ streamPrefixes: [] }, 'a.user-1', 'UserCreated', true],
    [{ streamPrefixes: ['a.user-'] }, 'a.user-1', 'UserCreated', true],
    [{ streamPrefixes: ['a.group-', 'a.user-'] }, 'a.user-1', 'UserCreated', true],
    [{ streamPrefixes: ['a.group-'] }, 'a.user-1', 'UserCreated', false],
    [{ streamPrefixes: ['a.us_r-'] }, 'a.user-1', 'UserCreated', false],
    [{ streamPrefixes: [''] }, 'a.user-1', 'UserCreated', true],
    [{ eventTypes: ['UserCreated'] }, 'a.user-1', 'UserCreated', true],
    [{ eventTypes: ['UserCreated'] }, 'a.user-1', 'UserCreatedV2', false],
    [{ eventTypes: ['UserDeleted'] }, 'a.user-1', 'UserCreated', false],
    [{ streamPrefixes: ['a.'], eventTypes: ['UserCreated'] }, 'b.user-1', 'UserCreated', false],
    [{ streamPrefixes: ['a.'], eventTypes: ['UserCreated'] }, 'a.user-1', 'UserCreated', true],
    [{ streamPrefixes: [''] }, '$ce-a.user', '$>', false],
    [{ eventTypes: ['$>'] }, '$ce-a.user', '$>', false],
  ])('%j on %s / %s: %s', (filter, stream, type, expected) => {
    expect(matchesLogFilter(stream, type, filter)).toBe(expected);
  });
});

describe('serverSideFilter', () => {
  it('filters on exact event types when types are given (the more selective criterion)', () => {
    const filter = serverSideFilter({ streamPrefixes: ['a.'], eventTypes: ['UserCreated', 'User.Renamed'] });
    expect(filter).toMatchObject({ filterOn: 'eventType', regex: '^(?:UserCreated|User\\.Renamed)$' });
    const regex = new RegExp((filter as { regex: string }).regex);
    expect(['UserCreated', 'User.Renamed', 'UserCreatedV2', 'UserXRenamed', 'XUserCreated'].filter((type) => regex.test(type))).toEqual([
      'UserCreated',
      'User.Renamed',
    ]);
  });

  it('filters on stream prefixes when only prefixes are given', () => {
    expect(serverSideFilter({ streamPrefixes: ['a.user-', 'a.group-'] })).toMatchObject({ filterOn: 'streamName', prefixes: ['a.user-', 'a.group-'] });
  });

  it.each([[{}], [{ streamPrefixes: [] }], [{ streamPrefixes: ['a.', ''] }], [{ eventTypes: [] }]])(
    'otherwise only leaves out the server\'s own events: %j',
    (filter) => {
      const vendor = serverSideFilter(filter);
      expect(vendor).toMatchObject({ filterOn: 'eventType' });
      const regex = new RegExp((vendor as { regex: string }).regex);
      expect(regex.test('$metadata')).toBe(false);
      expect(regex.test('UserCreated')).toBe(true);
    },
  );
});

describe('escapeRegex', () => {
  it('makes every metacharacter literal', () => {
    const nasty = 'a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o#p q';
    expect(new RegExp(`^${escapeRegex(nasty)}$`).test(nasty)).toBe(true);
    expect(new RegExp(`^${escapeRegex('a.b')}$`).test('axb')).toBe(false);
  });
});
