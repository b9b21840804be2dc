import { INTERACT_EXTENSIONS, INTERACT_USER_SCHEMA_ID } from '../../test-fixtures/interact-extension.test-support.js';
import { BARBARA_JENSEN, MINIMAL_USER, TOUR_GUIDES_GROUP } from '../../test-fixtures/rfc7643-users.test-support.js';
import { SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidFilterError } from '../scim-error.js';
import { isPresentValue } from '../resource/attribute-access.js';
import { compileElementFilter, compileFilter, matchesFilter } from './filter.evaluator.js';
import { parseFilter } from './filter.parser.js';

const registry = new SchemaRegistry(INTERACT_EXTENSIONS);
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const userMatches = (filter: string, resource: Record<string, unknown>): boolean =>
  matchesFilter(resource, parseFilter(filter), registry, 'User');

type Row = [title: string, filter: string, expected: boolean];

describe('matchesFilter on the RFC 7643 §8.3 example user', () => {
  it.each<Row>([
    ['RFC 7644 §3.4.2.2 example: userName eq "bjensen" (no match: the example user is bjensen@example.com)', 'userName eq "bjensen"', false],
    ['RFC 7644 §3.4.2.2 example: name.familyName co "O\'Malley"', `name.familyName co "O'Malley"`, false],
    ['RFC 7644 §3.4.2.2 example: userName sw "J"', 'userName sw "J"', false],
    ['RFC 7644 §3.4.2.2 example: URN-qualified userName sw', 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj"', true],
    ['RFC 7644 §3.4.2.2 example: title pr', 'title pr', true],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified gt', 'meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified ge', 'meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified lt', 'meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified le', 'meta.lastModified le "2011-05-13T04:42:34Z"', true],
    ['RFC 7644 §3.4.2.2 example: title pr and userType eq "Employee"', 'title pr and userType eq "Employee"', true],
    ['RFC 7644 §3.4.2.2 example: title pr or userType eq "Intern"', 'title pr or userType eq "Intern"', true],
    ['RFC 7644 §3.4.2.2 example: schemas eq enterprise URN', `schemas eq "${ENTERPRISE}"`, true],
    ['RFC 7644 §3.4.2.2 example: userType eq "Employee" and (emails co or emails.value co)',
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['RFC 7644 §3.4.2.2 example: userType ne "Employee" and not (...)',
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['RFC 7644 §3.4.2.2 example: userType eq "Employee" and (emails.type eq "work")', 'userType eq "Employee" and (emails.type eq "work")', true],
    ['RFC 7644 §3.4.2.2 example: emails[type eq "work" and value co "@example.com"]',
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    ['RFC 7644 §3.4.2.2 example: emails[...] or ims[...]',
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', true],
  ])('%s', (_title, filter, expected) => {
    expect(userMatches(filter, BARBARA_JENSEN)).toBe(expected);
  });

  it.each<Row>([
    ['case-insensitive string (caseExact false)', 'userName eq "BJENSEN@EXAMPLE.COM"', true],
    ['case-insensitive attribute names', 'USERNAME eq "bjensen@example.com" and Name.FamilyName eq "jensen"', true],
    ['case-exact id', 'id eq "2819C223-7F76-453A-919D-413861904646"', false],
    ['case-exact id, same case', 'id eq "2819c223-7f76-453a-919d-413861904646"', true],
    ['case-exact externalId', 'externalId eq "701984"', true],
    ['multi-valued: any element matches', 'emails.value eq "babs@jensen.org"', true],
    ['multi-valued complex without sub-attribute compares value (RFC 7644 §3.4.2.2)', 'emails eq "babs@jensen.org"', true],
    ['value path: both conditions on the same element', 'emails[type eq "home" and value co "example.com"]', false],
    ['flat and: conditions on different elements', 'emails.type eq "home" and emails.value co "example.com"', true],
    ['ne on a multi-valued attribute: some element differs', 'emails.type ne "work"', true],
    ['sw', 'displayName sw "babs"', true],
    ['ew', 'displayName ew "JENSEN"', true],
    ['co with an empty operand', 'nickName co ""', true],
    ['boolean eq', 'active eq true', true],
    ['boolean eq false', 'active eq false', false],
    ['boolean from a string literal', 'active eq "True"', true],
    ['boolean sub-attribute in a value path', 'emails[primary eq true].value eq "bjensen@example.com"', true],
    ['string gt, lexicographic', 'title gt "Tour"', true],
    ['string lt, case-insensitive', 'title lt "TOUR GUIDF"', true],
    ['string lt is strict', 'title lt "TOUR GUIDE"', false],
    ['string le includes equality', 'title le "TOUR GUIDE"', true],
    ['dateTime compared as instants, not text', 'meta.created eq "2010-01-23T06:56:22+02:00"', true],
    ['dateTime without zone is UTC', 'meta.created eq "2010-01-23T04:56:22"', true],
    ['dateTime with fraction', 'meta.created lt "2010-01-23T04:56:22.001Z"', true],
    ['extension attribute unqualified', 'employeeNumber eq "701984"', true],
    ['extension attribute URN-qualified', `${ENTERPRISE}:department eq "tour operations"`, true],
    ['extension complex sub-attribute', `${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true],
    ['singular complex with value compares value', `${ENTERPRISE}:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true],
    ['complex pr', 'name pr', true],
    ['readOnly groups can be filtered', 'groups.display eq "Employees"', true],
    ['reference attribute', 'profileUrl sw "https://login.example.com"', true],
    ['not', 'not (userName eq "bjensen@example.com")', false],
    ['eq null: not present', 'nickName eq null', false],
    ['ne null: present', 'nickName ne null', true],
    ['Entra: emails[type eq "work"].value eq', 'emails[type eq "work"].value eq "bjensen@example.com"', true],
    ['Entra: emails[type eq "work"].value eq a home address', 'emails[type eq "work"].value eq "babs@jensen.org"', false],
    ['Entra: `.Value` spelled as in mapping tables', 'emails[Type eq "work"].Value eq "BJENSEN@example.com"', true],
    ['Entra: unquoted value', 'externalId eq 701984', true],
    ['Microsoft tutorial: emails[type eq "work"] eq "x"', 'emails[type eq "work"] eq "bjensen@example.com"', true],
  ])('semantics: %s', (_title, filter, expected) => {
    expect(userMatches(filter, BARBARA_JENSEN)).toBe(expected);
  });
});

describe('matchesFilter: absent values and presence', () => {
  it.each<Row>([
    ['absent attribute: eq is false', 'title eq "x"', false],
    ['absent attribute: ne is false too (no value satisfies it)', 'title ne "x"', false],
    ['absent attribute: not (eq) is true', 'not (title eq "x")', true],
    ['absent attribute: pr is false', 'title pr', false],
    ['absent attribute: eq null is true', 'title eq null', true],
    ['absent multi-valued: eq is false', 'emails.value eq "x"', false],
    ['absent extension: eq is false', 'employeeNumber eq "x"', false],
    ['absent extension: pr is false', `${ENTERPRISE}:manager pr`, false],
  ])('%s', (_title, filter, expected) => {
    expect(userMatches(filter, MINIMAL_USER)).toBe(expected);
  });

  it.each<[title: string, value: unknown, present: boolean]>([
    ['null', null, false],
    ['undefined', undefined, false],
    ['empty string', '', false],
    ['empty array', [], false],
    ['empty object', {}, false],
    ['object of nulls', { value: null }, false],
    ['array of empty values', ['', null, {}], false],
    ['false is a value', false, true],
    ['zero is a value', 0, true],
    ['whitespace is a value', ' ', true],
    ['non-empty array', [{ value: 'a' }], true],
  ])('isPresentValue: %s', (_title, value, present) => {
    expect(isPresentValue(value)).toBe(present);
  });

  it.each<[title: string, resource: Record<string, unknown>, filter: string, expected: boolean]>([
    ['pr false for an empty string', { userName: 'a', title: '' }, 'title pr', false],
    ['pr false for an empty array', { userName: 'a', emails: [] }, 'emails pr', false],
    ['pr false for an empty object', { userName: 'a', name: {} }, 'name pr', false],
    ['pr on a sub-attribute of a multi-valued attribute', { userName: 'a', emails: [{ type: 'work' }, { value: 'x' }] }, 'emails.value pr', true],
    ['pr false when no element has the sub-attribute', { userName: 'a', emails: [{ type: 'work' }] }, 'emails.value pr', false],
    ['keys in the resource match case-insensitively', { USERNAME: 'a', Emails: [{ Value: 'x@y' }] }, 'userName eq "A" and emails.value eq "X@Y"', true],
    ['extension URN key matches case-insensitively', { userName: 'a', [ENTERPRISE.toLowerCase()]: { EmployeeNumber: '7' } }, 'employeeNumber eq "7"', true],
    ['a stored value of the wrong type never matches', { userName: 'a', active: 'true' }, 'active eq true', false],
    ['an unparseable stored dateTime never matches', { userName: 'a', meta: { created: 'yesterday' } }, 'meta.created lt "2030-01-01T00:00:00Z"', false],
    ['custom extension integer', { userName: 'a', [INTERACT_USER_SCHEMA_ID]: { headcount: 12 } }, 'headcount ge 12 and headcount lt 13', true],
    ['integer from a numeric string literal', { userName: 'a', [INTERACT_USER_SCHEMA_ID]: { headcount: 12 } }, 'headcount eq "12"', true],
    ['custom extension dateTime', { userName: 'a', [INTERACT_USER_SCHEMA_ID]: { jobStartDate: '2024-03-01T09:00:00Z' } }, 'jobStartDate gt "2024-01-01T00:00:00Z"', true],
    ['string order by code point: astral after U+FFFF', { userName: '\u{1F600}' }, 'userName gt "\uFFFF"', true],
    ['unquoted number against a string attribute compares its text', { userName: 'a', [ENTERPRISE]: { employeeNumber: '12345' } }, 'employeeNumber eq 12345', true],
  ])('%s', (_title, resource, filter, expected) => {
    expect(userMatches(filter, resource)).toBe(expected);
  });
});

describe('matchesFilter on Groups', () => {
  const groupMatches = (filter: string): boolean => matchesFilter(TOUR_GUIDES_GROUP, parseFilter(filter), registry, 'Group');
  it.each<Row>([
    ['ENTRA.md: displayName eq', 'displayName eq "tour guides"', true],
    ['members by value (case-exact id)', 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"]', true],
    ['members by value, other case', 'members[value eq "902C246B-6245-4190-8E05-00816BE7344A"]', false],
    ['members compares value', 'members eq "2819c223-7f76-453a-919d-413861904646"', true],
  ])('%s', (_title, filter, expected) => {
    expect(groupMatches(filter)).toBe(expected);
  });
});

describe('filter errors (invalidFilter)', () => {
  type ErrorRow = [title: string, filter: string, detail: RegExp];
  it.each<ErrorRow>([
    ['unknown attribute', 'shoeSize eq 42', /unknown attribute 'shoeSize' in filter for User/],
    ['unknown sub-attribute in a value filter', 'emails[kind eq "work"]', /unknown attribute 'kind' in filter for emails\[\.\.\.\]/],
    ['gt on a boolean (RFC 7644 §3.4.2.2)', 'active gt true', /operator 'gt' cannot compare boolean attribute 'active'/],
    ['co on a boolean', 'active co "t"', /operator 'co' cannot compare boolean/],
    ['le on binary (RFC 7644 §3.4.2.2)', 'x509Certificates.value le "M"', /operator 'le' cannot compare binary/],
    ['compare a complex attribute without value', 'name eq "Barbara"', /'name' is complex/],
    ['co on a dateTime', 'meta.created co "2010"', /operator 'co' cannot compare dateTime/],
    ['not a boolean', 'active eq "yes"', /expected a boolean to compare with 'active', got "yes"/],
    ['not an integer', 'headcount eq 1.5', /expected an integer to compare with 'headcount', got 1.5/],
    ['not a dateTime', 'meta.created gt "last week"', /expected a dateTime to compare with 'meta.created'/],
    ['gt null', 'title gt null', /operator 'gt' cannot compare 'title' with null/],
    ['value filter on a simple attribute', 'userName[value eq "x"]', /'userName' is not a complex attribute/],
  ])('%s', (_title, filter, detail) => {
    const attempt = (): boolean => userMatches(filter, MINIMAL_USER);
    expect(attempt).toThrow(InvalidFilterError);
    expect(attempt).toThrow(detail);
  });

  it('checks the filter before looking at any resource, so an empty result set fails alike', () => {
    expect(() => compileFilter(parseFilter('shoeSize pr'), registry, 'User')).toThrow(InvalidFilterError);
  });

  it('rejects hand-built nested value paths', () => {
    const nested = parseFilter('emails[type eq "work"]');
    expect(() => compileFilter({ kind: 'valuePath', path: { attribute: 'emails' }, filter: nested }, registry, 'User')).toThrow(/cannot nest/);
  });
});

describe('compileElementFilter', () => {
  it('matches elements of a multi-valued attribute by sub-attribute filter', () => {
    const emails = registry.findAttribute('User', { attribute: 'emails' })!;
    const isWork = compileElementFilter(parseFilter('type eq "WORK"'), emails, registry, 'User');
    expect(BARBARA_JENSEN.emails.map(isWork)).toEqual([true, false]);
  });
});

describe('dateTime validity (RFC 7643 §2.3.5)', () => {
  it.each(['2021-02-29T00:00:00Z', '2021-04-31T00:00:00Z', '2021-13-01T00:00:00Z', '2021-01-01T24:00:01Z', '2021-01-01T25:00:00Z'])('refuses %s instead of rolling it over', async (text) => {
    const { parseDateTime } = await import('../resource/date-time.js');
    expect(parseDateTime(text)).toBeUndefined();
  });

  it('reads 24:00:00 as the end of the day', async () => {
    const { parseDateTime } = await import('../resource/date-time.js');
    expect(parseDateTime('2020-12-31T24:00:00Z')).toBe(Date.UTC(2021, 0, 1));
  });

  it('accepts 29 February in a leap year', async () => {
    const { parseDateTime } = await import('../resource/date-time.js');
    expect(parseDateTime('2024-02-29T12:00:00Z')).toBe(Date.UTC(2024, 1, 29, 12));
  });
});
