import { InvalidFilterError } from '../scim-error.js';
import type { AttributePath, ComparisonOperator, Filter, FilterValue } from './filter.ast.js';
import { parseAttributePath, parseFilter } from './filter.parser.js';

const path = (text: string): AttributePath => parseAttributePath(text);
const compare = (attribute: string, op: ComparisonOperator, value: FilterValue): Filter => ({ kind: 'compare', path: path(attribute), op, value });
const present = (attribute: string): Filter => ({ kind: 'present', path: path(attribute) });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const valuePath = (attribute: string, filter: Filter): Filter => ({ kind: 'valuePath', path: path(attribute), filter });

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Row = [title: string, filter: string, expected: Filter];

describe('parseFilter', () => {
  it.each<Row>([
    ['RFC 7644 §3.4.2.2 example: userName eq "bjensen"', 'userName eq "bjensen"', compare('userName', 'eq', 'bjensen')],
    ['RFC 7644 §3.4.2.2 example: name.familyName co "O\'Malley"', `name.familyName co "O'Malley"`, compare('name.familyName', 'co', "O'Malley")],
    ['RFC 7644 §3.4.2.2 example: userName sw "J"', 'userName sw "J"', compare('userName', 'sw', 'J')],
    [
      'RFC 7644 §3.4.2.2 example: URN-qualified userName sw "J"',
      `${USER}:userName sw "J"`,
      { kind: 'compare', path: { uri: USER, attribute: 'userName' }, op: 'sw', value: 'J' },
    ],
    ['RFC 7644 §3.4.2.2 example: title pr', 'title pr', present('title')],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified gt', 'meta.lastModified gt "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified ge', 'meta.lastModified ge "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'ge', '2011-05-13T04:42:34Z')],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified lt', 'meta.lastModified lt "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'lt', '2011-05-13T04:42:34Z')],
    ['RFC 7644 §3.4.2.2 example: meta.lastModified le', 'meta.lastModified le "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'le', '2011-05-13T04:42:34Z')],
    ['RFC 7644 §3.4.2.2 example: title pr and userType eq "Employee"', 'title pr and userType eq "Employee"', and(present('title'), compare('userType', 'eq', 'Employee'))],
    ['RFC 7644 §3.4.2.2 example: title pr or userType eq "Intern"', 'title pr or userType eq "Intern"', or(present('title'), compare('userType', 'eq', 'Intern'))],
    ['RFC 7644 §3.4.2.2 example: schemas eq enterprise URN', `schemas eq "${ENTERPRISE}"`, compare('schemas', 'eq', ENTERPRISE)],
    [
      'RFC 7644 §3.4.2.2 example: userType eq "Employee" and (emails co ... or emails.value co ...)',
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(compare('userType', 'eq', 'Employee'), or(compare('emails', 'co', 'example.com'), compare('emails.value', 'co', 'example.org'))),
    ],
    [
      'RFC 7644 §3.4.2.2 example: userType ne "Employee" and not (...)',
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(compare('userType', 'ne', 'Employee'), not(or(compare('emails', 'co', 'example.com'), compare('emails.value', 'co', 'example.org')))),
    ],
    [
      'RFC 7644 §3.4.2.2 example: userType eq "Employee" and (emails.type eq "work")',
      'userType eq "Employee" and (emails.type eq "work")',
      and(compare('userType', 'eq', 'Employee'), compare('emails.type', 'eq', 'work')),
    ],
    [
      'RFC 7644 §3.4.2.2 example: userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(compare('userType', 'eq', 'Employee'), valuePath('emails', and(compare('type', 'eq', 'work'), compare('value', 'co', '@example.com')))),
    ],
    [
      'RFC 7644 §3.4.2.2 example: emails[...] or ims[...]',
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        valuePath('emails', and(compare('type', 'eq', 'work'), compare('value', 'co', '@example.com'))),
        valuePath('ims', and(compare('type', 'eq', 'xmpp'), compare('value', 'co', '@foo.com'))),
      ),
    ],
  ])('%s', (_title, text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it.each<Row>([
    ['and binds tighter than or (RFC 7644 §3.4.2.2 Table 3)', 'a pr or b pr and c pr', or(present('a'), and(present('b'), present('c')))],
    ['and binds tighter than or, on the left', 'a pr and b pr or c pr', or(and(present('a'), present('b')), present('c'))],
    ['parentheses override precedence', '(a pr or b pr) and c pr', and(or(present('a'), present('b')), present('c'))],
    ['and associates to the left', 'a pr and b pr and c pr', and(and(present('a'), present('b')), present('c'))],
    ['or associates to the left', 'a pr or b pr or c pr', or(or(present('a'), present('b')), present('c'))],
    ['not binds tighter than and', 'not (a pr) and b pr', and(not(present('a')), present('b'))],
    ['not without a space', 'not(a pr)', not(present('a'))],
    ['nested parentheses', '((a pr))', present('a')],
    ['not inside a value filter', 'emails[not (type eq "work")]', valuePath('emails', not(compare('type', 'eq', 'work')))],
    ['parentheses inside a value filter', 'emails[(type eq "work" or type eq "home") and primary eq true]',
      valuePath('emails', and(or(compare('type', 'eq', 'work'), compare('type', 'eq', 'home')), compare('primary', 'eq', true)))],
    ['a value path between logical operators', 'a pr and emails[type eq "work"] and b pr',
      and(and(present('a'), valuePath('emails', compare('type', 'eq', 'work'))), present('b'))],
  ])('precedence: %s', (_title, text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it.each<Row>([
    ['operators are case-insensitive', 'userName EQ "x" AND title Pr OR NOT (active eq TRUE)',
      or(and(compare('userName', 'eq', 'x'), present('title')), not(compare('active', 'eq', true)))],
    ['number literal', 'headcount gt 42', compare('headcount', 'gt', 42)],
    ['negative decimal literal with exponent', 'ratio lt -1.5e3', compare('ratio', 'lt', -1500)],
    ['true, false and null literals', 'a eq true or b eq false or c eq null', or(or(compare('a', 'eq', true), compare('b', 'eq', false)), compare('c', 'eq', null))],
    ['literals are case-insensitive (ABNF, RFC 5234 §2.3)', 'a eq False', compare('a', 'eq', false)],
    ['JSON escapes in strings', 'displayName eq "say \\"hi\\" \\\\ \\u00e9\\n"', compare('displayName', 'eq', 'say "hi" \\ é\n')],
    ['brackets, parentheses and keywords inside strings', 'displayName eq "a [b] (c) and or not"', compare('displayName', 'eq', 'a [b] (c) and or not')],
    ['extra whitespace', '  userName   eq\t"x"  ', compare('userName', 'eq', 'x')],
    ['no space before a string (RFC 7644 §3.5.2.2 example writes `value eq\"...\"`)', 'members[value eq"2819c223"]', valuePath('members', compare('value', 'eq', '2819c223'))],
    ['$ref sub-attribute', 'members.$ref pr', present('members.$ref')],
    ['URN-qualified extension sub-attribute', `${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
      { kind: 'compare', path: { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }, op: 'eq', value: '26118915-6090-4610-87e4-49d8ca9f808d' }],
    ['URN-qualified value path', `${USER}:emails[type eq "work"]`,
      { kind: 'valuePath', path: { uri: USER, attribute: 'emails' }, filter: compare('type', 'eq', 'work') }],
    ['attribute names keep the case the client sent', 'Emails.Value eq "x"', compare('Emails.Value', 'eq', 'x')],
  ])('grammar: %s', (_title, text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it.each<Row>([
    ['ENTRA.md: Test Connection', 'userName eq "AzureAD_Test-3fbc1f6b-2a4c-4a5e-9b63-1f2f3a4b5c6d"',
      compare('userName', 'eq', 'AzureAD_Test-3fbc1f6b-2a4c-4a5e-9b63-1f2f3a4b5c6d')],
    ['ENTRA.md: emails[type eq "work"].value eq "x"', 'emails[type eq "work"].value eq "x@contoso.com"',
      valuePath('emails', and(compare('type', 'eq', 'work'), compare('value', 'eq', 'x@contoso.com')))],
    ['ENTRA.md: `.Value` as in mapping tables', 'emails[type eq "work"].Value eq "x"',
      valuePath('emails', and(compare('type', 'eq', 'work'), compare('Value', 'eq', 'x')))],
    ['Entra sub-attribute path with pr', 'emails[type eq "work"].value pr', valuePath('emails', and(compare('type', 'eq', 'work'), present('value')))],
    ['Microsoft tutorial form emails[type eq "work"] eq "x" (implicit value)', 'emails[type eq "work"] eq "user@contoso.com"',
      valuePath('emails', and(compare('type', 'eq', 'work'), compare('value', 'eq', 'user@contoso.com')))],
    ['ENTRA.md: unquoted value externalId eq jyoung', 'externalId eq jyoung', compare('externalId', 'eq', 'jyoung')],
    ['unquoted GUID value', 'externalId eq 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', compare('externalId', 'eq', '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef')],
    ['unquoted email value followed by and', 'userName eq jyoung@contoso.com and active eq true',
      and(compare('userName', 'eq', 'jyoung@contoso.com'), compare('active', 'eq', true))],
    ['ENTRA.md: group lookup by displayName', 'displayName eq "Sales Team"', compare('displayName', 'eq', 'Sales Team')],
    ['ENTRA.md: URL-encoded filter (percent escapes)', 'userName%20eq%20%22Test_User%40contoso.com%22', compare('userName', 'eq', 'Test_User@contoso.com')],
    ['ENTRA.md: URL-encoded filter (form encoding, + as space)', 'userName+eq+%22a%2Bb%40contoso.com%22', compare('userName', 'eq', 'a+b@contoso.com')],
    ['URL-encoded value path', 'emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22x%22',
      valuePath('emails', and(compare('type', 'eq', 'work'), compare('value', 'eq', 'x')))],
    ['a valid filter is never decoded: "%41" stays in the value', 'userName eq "100%41"', compare('userName', 'eq', '100%41')],
    ['a "+" in a filter with spaces stays a "+"', 'userName eq "a+b@x.com%20"', compare('userName', 'eq', 'a+b@x.com%20')],
  ])('Entra: %s', (_title, text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  type ErrorRow = [title: string, filter: string, detail: string];
  it.each<ErrorRow>([
    ['unknown operator', 'userName xx "a"', `expected a comparison operator at position 9 in 'userName xx "a"'`],
    ['missing operator', 'userName', `expected a comparison operator at position 8 in 'userName'`],
    ['missing value', 'userName eq', `expected a value (a quoted string, a number, true, false or null) at position 11 in 'userName eq'`],
    ['empty filter', '', `expected an attribute path, "(" or "not" at position 0 in ''`],
    ['dangling and', 'title pr and', `expected an attribute path, "(" or "not" at position 12 in 'title pr and'`],
    ['unclosed parenthesis', '(title pr', `expected "and", "or" or ")" at position 9 in '(title pr'`],
    ['stray closing parenthesis', 'title pr)', `expected "and", "or" or the end of the filter at position 8 in 'title pr)'`],
    ['unterminated string', 'userName eq "abc', `expected a closing '"' for the string opened at position 12 at position 16 in 'userName eq "abc'`],
    ['bad escape', 'userName eq "a\\qb"', `expected a JSON escape sequence (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) at position 14 in 'userName eq "a\\qb"'`],
    ['unclosed value filter', 'emails[type eq "work"', `expected "and", "or" or "]" at position 21 in 'emails[type eq "work"'`],
    ['nested value filters', 'emails[type[value eq "x"]]', `expected a comparison operator (value filters cannot nest) at position 11 in 'emails[type[value eq "x"]]'`],
    ['dotted path inside a value filter', 'emails[emails.type eq "x"]', `expected a sub-attribute name without URI or "." at position 7 in 'emails[emails.type eq "x"]'`],
    ['not without parentheses', 'not title pr', `expected "(" after "not" at position 4 in 'not title pr'`],
    ['two sub-attributes', 'name.givenName.first eq "x"', `expected at most one sub-attribute (RFC 7644 §3.10) at position 14 in 'name.givenName.first eq "x"'`],
    ['attribute name starting with a digit', '1abc eq "x"', `expected an attribute path at position 0 in '1abc eq "x"'`],
    ['empty URI', ':userName eq "x"', `expected a schema URI before ":" at position 0 in ':userName eq "x"'`],
    ['value path after a sub-attribute', 'emails.value[type eq "x"]', `expected a comparison operator ("[" follows an attribute, not a sub-attribute) at position 12 in 'emails.value[type eq "x"]'`],
    ['bad sub-attribute after value path', 'emails[type eq "work"].1 eq "x"', `expected a sub-attribute name after "." at position 23 in 'emails[type eq "work"].1 eq "x"'`],
    ['missing operator after value path sub-attribute', 'emails[type eq "work"].value', `expected a comparison operator at position 28 in 'emails[type eq "work"].value'`],
    ['a URL-encoded filter that is still wrong reports the decoded form', 'userName%20xx%20%22a%22', `expected a comparison operator at position 9 in 'userName xx "a"'`],
  ])('invalidFilter: %s', (_title, text, detail) => {
    const attempt = (): Filter => parseFilter(text);
    expect(attempt).toThrow(InvalidFilterError);
    expect(attempt).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter', detail }));
  });
});

describe('parseAttributePath', () => {
  type PathRow = [title: string, text: string, expected: AttributePath];
  it.each<PathRow>([
    ['simple', 'userName', { attribute: 'userName' }],
    ['sub-attribute', 'name.givenName', { attribute: 'name', subAttribute: 'givenName' }],
    ['URN with dots in 2.0', `${ENTERPRISE}:employeeNumber`, { uri: ENTERPRISE, attribute: 'employeeNumber' }],
    ['URN with sub-attribute', `${ENTERPRISE}:manager.displayName`, { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'displayName' }],
    ['a bare extension URN reads as URI plus its last segment', ENTERPRISE, { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', attribute: 'User' }],
    ['surrounding whitespace', ' userName ', { attribute: 'userName' }],
  ])('%s', (_title, text, expected) => {
    expect(parseAttributePath(text)).toEqual(expected);
  });

  it('rejects what is not an attribute path', () => {
    expect(() => parseAttributePath('emails[type eq "work"]')).toThrow(InvalidFilterError);
    expect(() => parseAttributePath('a.b.c')).toThrow(InvalidFilterError);
  });
});
