import type { Filter } from '#scim/filter/filter.ast.js';
import { parseFilter } from '#scim/filter/filter.parser.js';
import { SchemaRegistry } from '#scim/schema/schema.registry.js';
import { InvalidFilterError, InvalidValueError } from '#scim/scim-error.js';
import { escapeLikePattern, jsonKeyLiteral } from './sql-fragment.js';
import { TEST_EXTENSION, TEST_EXTENSION_URN } from './user-filter-arbitraries.test-support.js';
import { compileUserFilter, compileUserSort } from './user-filter.sql.js';

const registry = new SchemaRegistry([TEST_EXTENSION]);
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const compile = (filter: string | Filter, firstParam = 2) =>
  compileUserFilter(typeof filter === 'string' ? parseFilter(filter) : filter, firstParam, registry);

/** The placeholders an SQL text uses, in order of first appearance. */
const placeholders = (sql: string): number[] => [...new Set([...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])))];

describe('compileUserFilter: Entra matching filters hit the indexed columns (ENTRA.md)', () => {
  it.each<[string, string, string, unknown[]]>([
    ['userName eq: the lower-cased column of index scim_users_user_name_lower (RFC 7643 §4.1.1 caseExact=false)',
      'userName eq "Test_User_ab6490ee@contoso.com"', '(user_name_lower = $2::text)', ['test_user_ab6490ee@contoso.com']],
    ['externalId eq: index scim_users_external_id, case-exact (RFC 7643 §3.1)',
      'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"', '(external_id = $2::text)', ['0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef']],
    ['Entra\'s unquoted value', 'externalId eq jyoung', '(external_id = $2::text)', ['jyoung']],
    ['Entra\'s emails[type eq "work"].value eq: the GIN-indexed work_emails_lower',
      'emails[type eq "work"].value eq "Test_User_fd0ea19b@contoso.com"', '(work_emails_lower @> ARRAY[$2::text])', ['test_user_fd0ea19b@contoso.com']],
    ['the same in RFC form, names and type in any case', 'EMAILS[Type eq "WORK" and Value eq "A@B.C"]', '(work_emails_lower @> ARRAY[$2::text])', ['a@b.c']],
    ['the value first', 'emails[value eq "a@b.c" and type eq "work"]', '(work_emails_lower @> ARRAY[$2::text])', ['a@b.c']],
    ['Microsoft\'s tutorial form emails[type eq "work"] eq "x"', 'emails[type eq "work"] eq "a@b.c"', '(work_emails_lower @> ARRAY[$2::text])', ['a@b.c']],
    ['id eq a uuid: the primary key', 'id eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"', '(id = $2::uuid)', ['0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef']],
    ['id eq anything else compares text (it matches nothing, and raises nothing)', 'id eq "not-a-uuid"', '(id::text = $2::text)', ['not-a-uuid']],
    ['URN-qualified core attribute', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "X"', '(user_name_lower = $2::text)', ['x']],
    ['and of two columns', 'userName eq "a" and externalId eq "b"', '((user_name_lower = $2::text) AND (external_id = $3::text))', ['a', 'b']],
  ])('%s', (_title, filter, sql, params) => {
    expect(compile(filter)).toEqual({ sql, params });
  });

  it('sends every other email filter to the jsonb', () => {
    for (const filter of ['emails[type eq "home"].value eq "a@b.c"', 'emails[type eq "work"].value co "a"', 'emails[type eq "work"]', 'emails.value eq "a@b.c"']) {
      const { sql } = compile(filter);
      expect(sql).not.toContain('work_emails_lower');
      expect(sql).toContain(`jsonb_array_elements`);
    }
  });
});

describe('compileUserFilter: values only as parameters', () => {
  const INJECTION = "x' OR 1=1 --";
  const PATHS = [
    'userName', 'externalId', 'displayName', 'title', 'name.familyName', 'emails', 'emails.value', 'emails.type', 'id',
    'meta.version', 'meta.resourceType', `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:manager`, `${TEST_EXTENSION_URN}:tags`,
  ];
  const cases = PATHS.flatMap((path) => (['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const).map((op) => [path, op] as const));

  it.each(cases)('%s %s "x\' OR 1=1 --" keeps the value out of the SQL text', (path, op) => {
    const filter = parseFilter(`${path} ${op} "x' OR 1=1 --"`);
    const { sql, params } = compile(filter);
    expect(sql).not.toContain('1=1');
    expect(sql).not.toContain("x'");
    expect(params.some((param) => String(param).toLowerCase().includes("x' or 1=1 --"))).toBe(true);
  });

  it('inside value filters too', () => {
    const { sql, params } = compile(`emails[type eq "${INJECTION}" or value co "${INJECTION}"] and not (phoneNumbers[value sw "${INJECTION}"])`);
    expect(sql).not.toContain('1=1');
    // Two comparisons inside brackets, the `sw` and its document-text prefilter (the `or` has none).
    expect(params).toHaveLength(4);
  });

  it.each<[string, string, string]>([
    ['level gt 5', 'numeric', '5'],
    ['score le 1.25', 'numeric', '1.25'],
    ['remote eq true', 'boolean', 'true'],
    ['active eq false', 'boolean', 'false'],
    ['hiredAt gt "2020-01-01T00:00:00Z"', 'bigint', '1577836800000'],
    ['meta.created ge "2020-01-01T00:00:00Z"', 'bigint', '1577836800000'],
  ])('typed operands are parameters too: %s', (filter, type, value) => {
    const { sql, params } = compile(filter);
    expect(sql).toContain(`$2::${type}`);
    expect(params.map(String)).toEqual([value]);
    expect(sql).not.toContain(value);
  });

  it('numbers its placeholders from firstParam, one per parameter', () => {
    const { sql, params } = compile('userName co "a" or (title sw "b" and not (emails[type eq "c"]))', 7);
    expect(placeholders(sql)).toEqual([7, 8, 9, 10, 11]);
    // Each comparison read from the jsonb is preceded by its document-text prefilter.
    expect(params).toEqual(['%a%', '%b%', 'b%', '%c%', 'c']);
    expect(() => compile('userName eq "a"', 0)).toThrow();
  });

  it('uses only canonical attribute names from the schemas in jsonb paths, whatever the client wrote', () => {
    expect(compile('NAME.FAMILYNAME eq "x"').sql).toContain(`attributes -> 'name' -> 'familyName'`);
    // employeeNumber has columns of its own (user-columns.ts): costCenter is read from the jsonb.
    expect(compile(`${ENTERPRISE.toUpperCase()}:COSTCENTER eq "x"`).sql).toContain(`attributes -> '${ENTERPRISE}' -> 'costCenter'`);
    expect(compile('costcenter eq "x"').sql).toContain(`attributes -> '${ENTERPRISE}' -> 'costCenter'`);
  });

  it('refuses a schema name that could leave its SQL literal', () => {
    expect(() => jsonKeyLiteral("x' OR '1")).toThrow();
    expect(() => jsonKeyLiteral('back\\slash')).toThrow();
    expect(jsonKeyLiteral('urn:ietf:params:scim:schemas:core:2.0:User')).toBe(`'urn:ietf:params:scim:schemas:core:2.0:User'`);
  });
});

describe('compileUserFilter: co, sw and ew escape LIKE wildcards (RFC 7644 §3.4.2.2 compares literally)', () => {
  it.each<[string, string, string]>([
    ['co', '50%_off\\', '%50\\%\\_off\\\\%'],
    ['sw', '50%', '50\\%%'],
    ['ew', '_x', '%\\_x'],
  ])('%s "%s" becomes the pattern %s', (op, value, pattern) => {
    const { sql, params } = compile({ kind: 'compare', path: { attribute: 'title' }, op: op as 'co', value });
    expect(params.at(-1)).toEqual(pattern);
    expect(params).toHaveLength(value.includes('\\') ? 1 : 2); // and the document-text prefilter, for ASCII without backslash
    expect(sql).toMatch(/LIKE lower\(\$\d::text\) ESCAPE '\\'/);
  });

  it('lower-cases the pattern for a lower-cased column instead of lower() on the column', () => {
    expect(compile('userName sw "A_b"')).toEqual({ sql: `(user_name_lower LIKE $2::text ESCAPE '\\')`, params: ['a\\_b%'] });
  });

  it('escapes backslash, percent and underscore only', () => {
    expect(escapeLikePattern('a\\b%c_d*e?f[g]')).toBe('a\\\\b\\%c\\_d*e?f[g]');
  });
});

describe('compileUserFilter: comparisons read from the jsonb are first tested on the document text (the cost of co on emails)', () => {
  it('tests a multi-valued value filter on the document text before walking its elements', () => {
    const { sql, params } = compile('emails[value co "Ab_c"]');
    expect(sql.indexOf('document_text_lower LIKE $2::text')).toBeGreaterThan(-1);
    expect(sql.indexOf('document_text_lower LIKE')).toBeLessThan(sql.indexOf('jsonb_array_elements'));
    expect(params[0]).toBe('%ab\\_c%');
  });

  it('needs every text an `and` of the brackets needs, once each', () => {
    const { params } = compile('emails[value sw "x" and type eq "Work" and value ew "X"]');
    expect(params.slice(0, 2)).toEqual(['%x%', '%work%']);
  });

  it('walks the elements once for an `and` of value filters on one attribute, however many there are', () => {
    const { sql, readsDocuments } = compile('emails[value co "a"] and title eq "x" and emails[value co "b"] and emails[type eq "c"]');
    expect(sql.match(/jsonb_array_elements/g)).toHaveLength(1);
    expect(sql.match(/bool_or/g)).toHaveLength(3);
    expect(readsDocuments).toBe(true);
  });

  it('keeps a walk of its own for a value filter without prefilter, which then stops at the first false term', () => {
    const { sql } = compile('emails[value co "é1"] and emails[value co "a"] and emails[value co "é2"] and emails[value co "b"]');
    expect(sql.match(/jsonb_array_elements/g)).toHaveLength(3);
    expect(sql.match(/bool_or/g)).toHaveLength(2);
  });

  it.each([
    ['an `or` needs neither side', 'emails[value co "x" or value co "y"]'],
    ['a `not` needs nothing', 'emails[not (value co "x")]'],
    ['`ne` is not containment', 'title ne "x"'],
    ['`gt` is not containment', 'title gt "x"'],
    ['non-ASCII lower-cases by context in ICU', 'title co "Σx"'],
    ['a quote is escaped in the text form', 'title co "a\\"b"'],
    ['a backslash is escaped in the text form', 'title co "a\\\\b"'],
    ['a column needs no prefilter', 'userName co "x"'],
  ])('no prefilter: %s', (_reason, filter) => {
    expect(compile(filter).sql).not.toContain('document_text_lower');
  });
});

describe('compileUserFilter: shapes from the schema', () => {
  it.each<[string, string, RegExp]>([
    ['case-insensitive string in jsonb (RFC 7643 §2.1)', 'title eq "X"', /lower\(attributes -> 'title' #>> '\{\}'\) = lower\(\$3::text\)/],
    ['case-exact string in jsonb', `${ENTERPRISE}:manager.value eq "M-1"`, /\(attributes -> '[^']+' -> 'manager' -> 'value' #>> '\{\}'\) = \$3::text/],
    ['ordering by code point (COLLATE "C")', 'title gt "a"', /COLLATE "C" > lower\(\$2::text\)/],
    ['multi-valued: any element (RFC 7644 §3.4.2.2)', 'emails.value eq "a"', /EXISTS \(SELECT 1 FROM jsonb_array_elements\(.*'emails'.*\) AS element1\(value\) WHERE/],
    ['complex without sub-attribute compares value', 'emails co "a"', /element1\.value -> 'value'/],
    ['numbers as numeric, guarded against other JSON types', 'level ge 2', /CASE WHEN jsonb_typeof\(.*\) = 'number' THEN \(.*\)::numeric END >= \$2::numeric/],
    ['dateTime in jsonb as instants', 'hiredAt lt "2020-01-01T00:00:00+02:00"', /scim_date_time_millis\(.*\) < \$2::bigint/],
    ['dateTime column as instants', 'meta.lastModified gt "2011-05-13T04:42:34Z"', /\(last_modified_at > to_timestamp\(\$2::bigint \/ 1000\.0\)\)/],
    ['not: NULL (absent) counts as false, as in the evaluator', 'not (title eq "x")', /^\(NOT COALESCE\(.*, false\)\)$/],
    ['eq null: not present', 'title eq null', /^\(NOT COALESCE\(jsonb_path_exists\(attributes -> 'title', .*\), false\)\)$/],
    ['pr on a column', 'externalId pr', /^\(external_id <> ''\)$/],
    ['pr on meta (always present)', 'meta pr', /^TRUE$/],
    ['value filter on a singular complex attribute', 'name[givenName eq "x" and familyName pr]', /jsonb_typeof\(attributes -> 'name'\) = 'object' AND/],
    ['value filter on meta reads its columns', 'meta[created gt "2020-01-01T00:00:00Z"]', /created_at >/],
    ['active is the boolean column', 'active eq "True"', /^\(active = \$2::boolean\)$/],
    ['meta.version is the weak ETag of the version column', 'meta.version eq "W/\\"3\\""', /\('W\/"' \|\| version::text \|\| '"'\) = \$2::text/],
  ])('%s: %s', (_title, filter, shape) => {
    expect(compile(filter).sql).toMatch(shape);
  });

  it('accepts 29 February of a leap year and 24:00:00', () => {
    expect(compile('hiredAt eq "2020-02-29T00:00:00Z"').params).toEqual(['1582934400000']);
    expect(compile('hiredAt eq "2020-02-28T24:00:00Z"').params).toEqual(['1582934400000']);
  });

  it('passes the dateTime operand as epoch milliseconds (no zone means UTC, RFC 7643 §2.3.5)', () => {
    expect(compile('meta.created gt "2020-01-01T02:00:00+02:00"').params).toEqual(['1577836800000']);
    expect(compile('meta.created gt "2020-01-01T00:00:00"').params).toEqual(['1577836800000']);
  });
});

describe('compileUserFilter: refusals are invalidFilter, as the evaluator words them', () => {
  it.each<[string, RegExp]>([
    ['nosuch eq "x"', /unknown attribute 'nosuch'/],
    ['name.nosuch eq "x"', /unknown attribute 'name\.nosuch'/],
    ['emails[nosuch eq "x"]', /unknown attribute 'nosuch'/],
    ['active gt true', /operator 'gt' cannot compare boolean/],
    ['level co 1', /operator 'co' cannot compare integer/],
    ['meta.created eq "yesterday"', /expected a dateTime/],
    ['name eq "x"', /complex/],
    ['meta.location eq "https://example.com/Users/1"', /meta\.location.*not supported/],
    // RFC 7643 §2.3.5 (xsd:dateTime): the evaluator reads this as 2021-03-01, see the compiler.
    ['meta.created gt "2021-02-29T00:00:00Z"', /expected a dateTime to compare with/],
    ['hiredAt lt "2020-04-31T10:00:00+02:00"', /expected a dateTime to compare with/],
  ])('%s', (filter, detail) => {
    const attempt = () => compile(filter);
    expect(attempt).toThrow(InvalidFilterError);
    expect(attempt).toThrow(detail);
  });
});

describe('compileUserSort (RFC 7644 §3.4.2.3)', () => {
  it.each<[string, 'ascending' | 'descending' | undefined, string | RegExp]>([
    ['userName', undefined, `NULLIF(user_name_lower, '') COLLATE "C" ASC NULLS LAST`],
    ['USERNAME', 'descending', `NULLIF(user_name_lower, '') COLLATE "C" DESC NULLS FIRST`],
    ['externalId', 'ascending', `NULLIF(external_id, '') COLLATE "C" ASC NULLS LAST`],
    ['meta.lastModified', 'descending', 'last_modified_at DESC NULLS FIRST'],
    ['name.familyName', undefined, /^lower\(NULLIF\(CASE WHEN jsonb_typeof\(attributes -> 'name' -> 'familyName'\) = 'string'/],
    ['emails', undefined, /ORDER BY \(sort_element1\.value -> 'primary'\) = 'true'::jsonb DESC NULLS LAST, sort_element1\.position LIMIT 1\)/],
    [`${TEST_EXTENSION_URN}:level`, undefined, /::numeric END ASC NULLS LAST$/],
  ])('sortBy=%s sortOrder=%s', (sortBy, sortOrder, expected) => {
    const sql = compileUserSort({ sortBy, ...(sortOrder ? { sortOrder } : {}) }, registry);
    if (typeof expected === 'string') expect(sql).toBe(expected);
    else expect(sql).toMatch(expected);
  });

  it.each(['nosuch', 'name', 'meta.location', 'a b'])('refuses sortBy=%s with invalidValue', (sortBy) => {
    expect(() => compileUserSort({ sortBy }, registry)).toThrow(InvalidValueError);
  });
});
