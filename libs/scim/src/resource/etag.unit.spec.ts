import { describe, expect, it } from '@jest/globals';
import { PreconditionFailedError } from '../scim-error.js';
import { matchesIfNoneMatch, parseIfMatch, weakEtag, weakEtagSql } from './etag.js';

describe('weakEtag', () => {
  it('writes the revision as a weak entity tag, whatever its numeric type', () => {
    expect(weakEtag(3n)).toBe('W/"3"');
    expect(weakEtag(12)).toBe('W/"12"');
    expect(weakEtag('9007199254740993')).toBe('W/"9007199254740993"');
  });

  it('has an SQL twin over a revision column', () => {
    expect(weakEtagSql('version')).toBe(`('W/"' || version::text || '"')`);
  });
});

describe('parseIfMatch', () => {
  it('reads back what weakEtag wrote, and the strong form of the same tag', () => {
    expect(parseIfMatch(weakEtag(42n))).toBe(42n);
    expect(parseIfMatch(' "7" ')).toBe(7n);
    expect(parseIfMatch('W/"18446744073709551617"')).toBe(18446744073709551617n);
  });

  it('asks for nothing when absent or `*`', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch(' * ')).toBeUndefined();
  });

  it.each(['W/"abc"', 'W/3', '"3", "4"', '', 'w/"3"'])('refuses %j with 412', (header) => {
    expect(() => parseIfMatch(header)).toThrow(PreconditionFailedError);
    expect(() => parseIfMatch(header)).toThrow(`If-Match "${header}" is not a version this server issued (expected W/"<n>")`);
  });
});

describe('matchesIfNoneMatch', () => {
  const current = weakEtag(5n);

  it('matches the current tag, weak or strong, in a list, and `*`', () => {
    expect(matchesIfNoneMatch('W/"5"', current)).toBe(true);
    expect(matchesIfNoneMatch('"5"', current)).toBe(true);
    expect(matchesIfNoneMatch('W/"4", W/"5"', current)).toBe(true);
    expect(matchesIfNoneMatch('*', current)).toBe(true);
  });

  it('does not match another version or an absent header', () => {
    expect(matchesIfNoneMatch('W/"4"', current)).toBe(false);
    expect(matchesIfNoneMatch('W/"50"', current)).toBe(false);
    expect(matchesIfNoneMatch(undefined, current)).toBe(false);
  });
});
