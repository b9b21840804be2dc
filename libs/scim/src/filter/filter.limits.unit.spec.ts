import { InvalidFilterError, InvalidPathError } from '../scim-error.js';
import { parsePatchPath } from '../patch/patch-path.parser.js';
import { DEFAULT_FILTER_LIMITS, FILTER_LIMIT_CEILINGS } from './filter.limits.js';
import { parseFilter } from './filter.parser.js';

const terms = (count: number, term = (i: number) => `userName eq "${i}"`) => Array.from({ length: count }, (_, i) => term(i)).join(' or ');
const nested = (depth: number, open: string, inner = 'userName pr') => `${open.repeat(depth)}${inner}${')'.repeat(depth)}`;

/** Issue 12: the parser is bounded while it parses; a filter beyond a limit is invalidFilter, never a RangeError. */
describe('filter limits', () => {
  const refuses = (filter: string, detail: RegExp, limits = FILTER_LIMIT_CEILINGS) => {
    let thrown: unknown;
    try {
      parseFilter(filter, limits);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidFilterError);
    expect((thrown as InvalidFilterError).detail).toMatch(detail);
  };

  it.each([
    ['3,000 nested parentheses', nested(3000, '('), /nested 65 deep.*at most 64 levels/],
    ['1,000 nested not (', nested(1000, 'not ('), /nested 65 deep.*at most 64 levels/],
    ['10,000 or terms (their length first)', terms(10_000, () => 'a pr'), /79996 characters long; at most 65536/],
    ['7,000 or terms', terms(7_000, () => 'a pr'), /1001 comparisons or more; at most 1000/],
    ['a 70,000-character filter', `userName eq "${'a'.repeat(70_000)}"`, /70014 characters long; at most 65536/],
  ])('with no limits given, the ceilings hold: %s', (_title, filter, detail) => refuses(filter, detail));

  it.each([
    ['length', `userName eq "${'a'.repeat(4100)}"`, /4114 characters long; at most 4096 are allowed/],
    ['comparisons', terms(51), /51 comparisons or more; at most 50 are allowed/],
    ['comparisons inside a value path count too', `emails[${terms(51, (i) => `value eq "${i}"`)}]`, /51 comparisons/],
    ['depth of parentheses', nested(17, '('), /nested 17 deep at position 16 .*at most 16 levels/],
    ['depth of not (', nested(17, 'not ('), /nested 17 deep/],
    ['a value path opens a level', nested(16, '(', 'emails[value pr]'), /nested 17 deep/],
    ['distinct attribute paths', terms(21, (i) => `x${i} pr`), /21 attribute paths or more; at most 20 distinct/],
  ])('the configured %s limit', (_title, filter, detail) => refuses(filter, detail, DEFAULT_FILTER_LIMITS));

  it('admits what is within every limit, and counts a path once however often and in whatever case it is named', () => {
    expect(() => parseFilter(terms(50), DEFAULT_FILTER_LIMITS)).not.toThrow();
    expect(() => parseFilter(nested(16, 'not ('), DEFAULT_FILTER_LIMITS)).not.toThrow();
    expect(() => parseFilter(terms(50, (i) => `${i % 2 ? 'USERNAME' : 'userName'} eq "${i}"`), { ...DEFAULT_FILTER_LIMITS, maxAttributePaths: 1 })).not.toThrow();
  });

  it('a filter beyond a limit is not retried URL-decoded (the decoded form would be no smaller)', () => {
    refuses(`userName eq "%41${'a'.repeat(4100)}"`, /at most 4096/, DEFAULT_FILTER_LIMITS);
  });

  it('a PATCH path holds its value filter to the same limits, as invalidPath (RFC 7644 §3.5.2)', () => {
    expect(() => parsePatchPath(`emails[${terms(51, (i) => `value eq "${i}"`)}].value`, DEFAULT_FILTER_LIMITS)).toThrow(InvalidPathError);
    expect(() => parsePatchPath(`emails[${nested(3000, 'not (', 'value pr')}]`)).toThrow(/at most 64 levels/);
  });

  it.each([
    ['a NUL escape', 'userName eq "a\\u0000b"', /NUL character \(U\+0000\)/],
    ['a lone high surrogate escape', 'userName eq "x\\ud800"', /lone surrogate \(U\+D800\)/],
    ['a lone low surrogate escape', 'userName eq "\\udc00x"', /lone surrogate \(U\+DC00\)/],
  ])('a string value with %s is invalidFilter: no attribute can hold it', (_title, filter, detail) => refuses(filter, detail));

  it('a surrogate pair written as two escapes is one character, and fine', () => {
    expect(parseFilter('displayName eq "\\ud83d\\ude00"')).toMatchObject({ value: '\u{1F600}' });
  });
});
