import { describe, expect, it } from '@jest/globals';
import { formatTime, pageWindow, positiveInt, statusWords } from './format.js';

describe('console formatting', () => {
  it('writes times in UTC, one form for all', () => {
    expect(formatTime('2026-12-07T23:54:25.123Z')).toBe('2026-12-07 23:54:25 UTC');
    expect(formatTime('2026-12-08T01:00:00+02:00')).toBe('2026-12-07 23:00:00 UTC');
    expect(formatTime(null)).toBe('—');
    expect(formatTime('not a time')).toBe('not a time');
  });

  it('writes instants to the millisecond when asked (events and log entries are recorded so)', () => {
    expect(formatTime('2030-01-31T09:12:03.902Z', 'milliseconds')).toBe('2030-01-31 09:12:03.902 UTC');
    expect(formatTime('2030-01-31T10:12:03+01:00', 'milliseconds')).toBe('2030-01-31 09:12:03.000 UTC');
    expect(formatTime(null, 'milliseconds')).toBe('—');
  });

  it('says what a status means in words', () => {
    expect([201, 204, 304, 404, 409, 429, 500, 503].map(statusWords)).toEqual([
      'success',
      'success',
      'redirect',
      'client error',
      'client error',
      'client error',
      'server error',
      'server error',
    ]);
  });

  it('pages like SCIM: 1-based, with previous and next starts', () => {
    expect(pageWindow(1, 50, 100_000)).toEqual({ first: 1, last: 50, total: 100_000, previousStart: null, nextStart: 51 });
    expect(pageWindow(99_951, 50, 100_000)).toEqual({ first: 99_951, last: 100_000, total: 100_000, previousStart: 99_901, nextStart: null });
    expect(pageWindow(30, 50, 100)).toEqual({ first: 30, last: 79, total: 100, previousStart: 1, nextStart: 80 });
    expect(pageWindow(1, 50, 0)).toEqual({ first: 0, last: 0, total: 0, previousStart: null, nextStart: null });
    expect(pageWindow(500, 50, 20)).toMatchObject({ first: 20, last: 20, nextStart: null, previousStart: 450 });
  });

  it('reads positive integers from a query string, else the fallback, capped', () => {
    expect(positiveInt('51', 1)).toBe(51);
    expect(positiveInt(null, 1)).toBe(1);
    expect(positiveInt('0', 1)).toBe(1);
    expect(positiveInt('-3', 1)).toBe(1);
    expect(positiveInt('1e3', 1)).toBe(1);
    expect(positiveInt('99999999999', 1)).toBe(1);
    expect(positiveInt('500', 50, 200)).toBe(200);
  });
});
