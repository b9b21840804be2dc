import fc from 'fast-check';
import type { AttributePath, ComparisonOperator, Filter, FilterValue } from '#scim/filter/filter.ast.js';
import { weakEtag } from '#scim/resource/etag.js';
import { SchemaRegistry, type SchemaExtensionRegistration } from '#scim/schema/schema.registry.js';

/**
 * Random Users and random filters over them for the filter-to-SQL property test. Both draw from one small
 * vocabulary (words, emails, instants, numbers), in varying case, so that filters match some users and miss
 * others instead of matching nothing.
 */

export const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** A custom extension with the attribute types the User schemas lack (numbers, dateTimes) or hold in columns. */
export const TEST_EXTENSION_URN = 'urn:ietf:params:scim:schemas:extension:filtertest:2.0:User';

export const TEST_EXTENSION: SchemaExtensionRegistration = {
  resourceType: 'User',
  schema: {
    id: TEST_EXTENSION_URN,
    attributes: [
      { name: 'level', type: 'integer' },
      { name: 'score', type: 'decimal' },
      { name: 'hiredAt', type: 'dateTime' },
      { name: 'remote', type: 'boolean' },
      { name: 'tags', type: 'string', multiValued: true, caseExact: true },
      {
        name: 'badge',
        type: 'complex',
        subAttributes: [
          { name: 'value', type: 'string' },
          { name: 'issuedAt', type: 'dateTime' },
        ],
      },
      {
        name: 'shifts',
        type: 'complex',
        multiValued: true,
        subAttributes: [
          { name: 'value', type: 'integer' },
          { name: 'type', type: 'string' },
          { name: 'start', type: 'dateTime' },
        ],
      },
    ],
  },
};

export const TEST_REGISTRY = new SchemaRegistry([TEST_EXTENSION]);

/** A generated user: the attributes as stored, and what the read model adds (id, meta). */
export interface GeneratedUser {
  readonly attributes: Record<string, unknown>;
  readonly created: string;
  readonly lastModified: string;
  readonly version: number;
}

// ---- vocabulary ----------------------------------------------------------------------------------------------

/**
 * Words with LIKE wildcards, a backslash, a quote, SQL-looking text, and non-ASCII letters whose lower-casing
 * PostgreSQL (C.UTF-8) and String#toLowerCase agree on (not İ or a final Σ, see the report in the compiler).
 */
const WORDS = ['ann', 'Bob', 'li', 'x%', '_q', 'a\\b', "o'k", 'Äö', 'é', 'ß', ' ', "x' OR 1=1 --"];
const DOMAINS = ['ex.com', 'Ex.ORG', 'x_y.net'];
const EMAIL_TYPES = ['work', 'Work', 'WORK', 'home', 'other'];
const PHONE_VALUES = ['+1 555', '555-0100', '(0)12'];
const PHONE_TYPES = ['work', 'mobile', 'Mobile'];
const INTEGERS = [-3, 0, 1, 2, 10, 100];
const DECIMALS = [0.5, 1.25, 2, -1.5, 1000, 1e-7, 0.30000000000000004];
/** Canonical instants, as meta.created is rendered (timestamptz-safe). */
const META_INSTANTS = ['2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.123Z', '2021-06-15T12:30:00.000Z', '2024-02-29T23:59:59.999Z', '1969-12-31T23:59:59.999Z'];
/**
 * dateTime texts as clients send them: zones, no zone (UTC), extra fraction digits (truncated to ms), 24:00:00
 * (the next midnight). Not days a month lacks (2021-02-29): there the SQL follows xsd:dateTime and the evaluator
 * does not (see the compiler), which user-search.int.spec.ts covers.
 */
const DATE_TIMES = [
  ...META_INSTANTS,
  '2021-06-15T14:30:00+02:00',
  '2021-06-15T12:30:00',
  '2020-01-01T00:00:00.1239Z',
  '2021-03-01T00:00:00Z',
  '2020-12-31T24:00:00Z',
  '2021-01-01T00:00:00-00:00',
  '0000-03-01T00:00:00Z',
];
const INVALID_DATE_TIMES = ['not-a-date', '2021-13-01T00:00:00Z', '2021-01-01'];

const caseVariant = fc.constantFrom<(text: string) => string>(
  (text) => text,
  (text) => text.toLowerCase(),
  (text) => text.toUpperCase(),
  (text) => text.charAt(0).toUpperCase() + text.slice(1),
);

const cased = (base: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.tuple(base, caseVariant).map(([text, variant]) => variant(text));

const word = fc.constantFrom(...WORDS);
/** One to three words, mostly short so that equal values recur. */
const text = cased(
  fc.oneof(
    { weight: 6, arbitrary: word },
    { weight: 3, arbitrary: fc.tuple(word, word).map((parts) => parts.join('')) },
    { weight: 1, arbitrary: fc.tuple(word, word, word).map((parts) => parts.join('')) },
  ),
);
const email = fc.tuple(text, cased(fc.constantFrom(...DOMAINS))).map(([local, domain]) => `${local}@${domain}`);

const optional = <T>(arbitrary: fc.Arbitrary<T>, weightAbsent = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: weightAbsent, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: arbitrary });

/** Stored strings: sometimes empty (not present) or an explicit null. */
const storedText = fc.oneof({ weight: 10, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom('', null) });

function compact(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** A multi-valued attribute: usually an array, rarely a lone element (the evaluator reads that as one). */
function multiValued<T>(element: fc.Arbitrary<T>, maxLength: number): fc.Arbitrary<T[] | T> {
  return fc.oneof({ weight: 12, arbitrary: fc.array(element, { maxLength }) }, { weight: 1, arbitrary: element });
}

// ---- users ---------------------------------------------------------------------------------------------------

const emailElement = fc
  .record({
    value: fc.oneof({ weight: 12, arbitrary: email }, { weight: 1, arbitrary: fc.constantFrom('', null, 5) }),
    type: optional(fc.constantFrom(...EMAIL_TYPES), 1),
    primary: optional(fc.boolean(), 2),
    display: optional(text, 4),
  })
  .map(compact);

const phoneElement = fc
  .record({ value: fc.constantFrom(...PHONE_VALUES), type: optional(fc.constantFrom(...PHONE_TYPES)), primary: optional(fc.boolean(), 3) })
  .map(compact);

const enterprise = fc
  .record({
    employeeNumber: optional(fc.oneof(text, fc.constantFrom('1001', '01001'))),
    department: optional(storedText),
    manager: optional(fc.record({ value: optional(fc.constantFrom('m-1', 'M-1', 'm-2')), displayName: optional(text) }).map(compact)),
  })
  .map(compact);

const testExtension = fc
  .record({
    level: optional(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...INTEGERS) }, { weight: 1, arbitrary: fc.constant('2') })),
    score: optional(fc.constantFrom(...DECIMALS)),
    hiredAt: optional(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...DATE_TIMES) }, { weight: 1, arbitrary: fc.constantFrom(...INVALID_DATE_TIMES) })),
    remote: optional(fc.oneof({ weight: 8, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant('true') })),
    tags: optional(multiValued(cased(fc.constantFrom('red', 'Blue', 'x%')), 3)),
    badge: optional(fc.record({ value: optional(text), issuedAt: optional(fc.constantFrom(...DATE_TIMES)) }).map(compact)),
    shifts: optional(
      multiValued(
        fc
          .record({
            value: optional(fc.constantFrom(...INTEGERS)),
            type: optional(cased(fc.constantFrom('early', 'late'))),
            start: optional(fc.constantFrom(...DATE_TIMES)),
          })
          .map(compact),
        3,
      ),
    ),
  })
  .map(compact);

export const userArbitrary: fc.Arbitrary<GeneratedUser> = fc
  .record({
    userName: text,
    externalId: optional(text),
    displayName: optional(text),
    title: optional(storedText),
    name: optional(fc.record({ givenName: optional(storedText), familyName: optional(text), formatted: optional(text) }).map(compact)),
    active: optional(fc.boolean()),
    emails: optional(multiValued(emailElement, 3)),
    phoneNumbers: optional(multiValued(phoneElement, 2)),
    x509Certificates: optional(fc.array(fc.record({ value: fc.constantFrom('TUlJQw==', 'tuljqw==') }), { maxLength: 1 })),
    enterprise: optional(enterprise),
    testExtension: optional(testExtension),
    created: fc.constantFrom(...META_INSTANTS),
    lastModified: fc.constantFrom(...META_INSTANTS),
    version: fc.integer({ min: 1, max: 12 }),
  })
  .map(({ enterprise: enterpriseAttributes, testExtension: testAttributes, created, lastModified, version, ...core }) => {
    const schemas = [CORE_USER_URN, ...(enterpriseAttributes ? [ENTERPRISE_URN] : []), ...(testAttributes ? [TEST_EXTENSION_URN] : [])];
    const attributes = compact({
      schemas,
      ...core,
      [ENTERPRISE_URN]: enterpriseAttributes,
      [TEST_EXTENSION_URN]: testAttributes,
    });
    return { attributes, created, lastModified, version };
  });

/** The id the n-th generated user gets (lower-case, as PostgreSQL renders a uuid). */
export function userIdAt(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** The resource the evaluator sees: what the presenter renders from a row (id and meta added). */
export function evaluatedResource(user: GeneratedUser, id: string): Record<string, unknown> {
  return {
    ...user.attributes,
    id,
    meta: { resourceType: 'User', created: user.created, lastModified: user.lastModified, version: weakEtag(user.version) },
  };
}

// ---- filters -------------------------------------------------------------------------------------------------

const ALL_OPERATORS: readonly ComparisonOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

/** Literals by attribute type; each sometimes of the wrong type (both sides must then refuse the filter alike). */
const stringLiteral = (values: fc.Arbitrary<string>): fc.Arbitrary<FilterValue> =>
  fc.oneof({ weight: 20, arbitrary: values }, { weight: 1, arbitrary: fc.constantFrom<FilterValue>(1001, true, null) });
const integerLiteral: fc.Arbitrary<FilterValue> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom<FilterValue>(...INTEGERS) },
  { weight: 1, arbitrary: fc.constantFrom<FilterValue>('2', 2.5, 'abc', null) },
);
const decimalLiteral: fc.Arbitrary<FilterValue> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom<FilterValue>(...DECIMALS, 0.3, 1) },
  { weight: 1, arbitrary: fc.constantFrom<FilterValue>('1.25', 'abc', null) },
);
const booleanLiteral: fc.Arbitrary<FilterValue> = fc.oneof(
  { weight: 10, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom<FilterValue>('True', 'FALSE', 'yes', 1, null) },
);
const dateTimeLiteral: fc.Arbitrary<FilterValue> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<FilterValue>(...DATE_TIMES) },
  { weight: 1, arbitrary: fc.constantFrom<FilterValue>(...INVALID_DATE_TIMES, 5, null) },
);
/** Whole values and single words (substrings, for co/sw/ew), in any case. */
const textLiteral = stringLiteral(fc.oneof(text, cased(word)));
const emailLiteral = stringLiteral(fc.oneof({ weight: 3, arbitrary: email }, { weight: 1, arbitrary: cased(fc.constantFrom(...WORDS, ...DOMAINS, '@')) }));

/** A name in one of its spellings: attribute names are case-insensitive (RFC 7643 §2.1). */
const spelled = (name: string): fc.Arbitrary<string> => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase());

interface AttributeChoice {
  /** `[uri:]attribute[.sub]` candidates, as arbitraries of AttributePath. */
  readonly path: fc.Arbitrary<AttributePath>;
  readonly literal: fc.Arbitrary<FilterValue>;
  /** The operators the attribute's type allows (RFC 7644 §3.4.2.2); others are tried now and then. */
  readonly operators?: readonly ComparisonOperator[];
}

const ORDERING: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const EQUALITY: readonly ComparisonOperator[] = ['eq', 'ne'];

function pathOf(attribute: string, subAttribute?: string, uris: readonly (string | undefined)[] = [undefined]): fc.Arbitrary<AttributePath> {
  return fc
    .record({
      uri: fc.constantFrom(...uris).chain((uri) => (uri === undefined ? fc.constant(undefined) : spelled(uri))),
      attribute: spelled(attribute),
      subAttribute: subAttribute === undefined ? fc.constant(undefined) : spelled(subAttribute),
    })
    .map(({ uri, attribute: name, subAttribute: sub }) => ({
      ...(uri !== undefined ? { uri } : {}),
      attribute: name,
      ...(sub !== undefined ? { subAttribute: sub } : {}),
    }));
}

const CORE = [undefined, CORE_USER_URN];
const ENTERPRISE = [undefined, ENTERPRISE_URN];
const TEST = [undefined, TEST_EXTENSION_URN];

const USER_ID_LITERAL = stringLiteral(
  fc.oneof(
    fc.integer({ min: 0, max: 80 }).map(userIdAt),
    fc.integer({ min: 0, max: 80 }).map((index) => userIdAt(index).toUpperCase()),
    fc.constantFrom('00000000-0000-4000-8000', 'not-a-uuid'),
  ),
);

const TOP_LEVEL_ATTRIBUTES: readonly AttributeChoice[] = [
  { path: pathOf('userName', undefined, CORE), literal: textLiteral },
  { path: pathOf('externalId', undefined, CORE), literal: textLiteral },
  { path: pathOf('displayName'), literal: textLiteral },
  { path: pathOf('title'), literal: textLiteral },
  { path: pathOf('nickName'), literal: textLiteral },
  { path: pathOf('name', 'givenName', CORE), literal: textLiteral },
  { path: pathOf('name', 'familyName'), literal: textLiteral },
  { path: pathOf('name'), literal: textLiteral },
  { path: pathOf('emails'), literal: emailLiteral },
  { path: pathOf('emails', 'value', CORE), literal: emailLiteral },
  { path: pathOf('emails', 'type'), literal: stringLiteral(fc.constantFrom(...EMAIL_TYPES, 'wo')) },
  { path: pathOf('emails', 'primary'), literal: booleanLiteral, operators: EQUALITY },
  { path: pathOf('emails', 'display'), literal: textLiteral },
  { path: pathOf('phoneNumbers', 'value'), literal: stringLiteral(fc.constantFrom(...PHONE_VALUES, '555')) },
  { path: pathOf('phoneNumbers'), literal: stringLiteral(fc.constantFrom(...PHONE_VALUES, '555')) },
  { path: pathOf('x509Certificates', 'value'), literal: stringLiteral(fc.constantFrom('TUlJQw==', 'tuljqw==', 'TUl')) },
  { path: pathOf('active', undefined, CORE), literal: booleanLiteral, operators: EQUALITY },
  { path: pathOf('id', undefined, CORE), literal: USER_ID_LITERAL },
  { path: pathOf('meta', 'created'), literal: dateTimeLiteral, operators: ORDERING },
  { path: pathOf('meta', 'lastModified', CORE), literal: dateTimeLiteral, operators: ORDERING },
  { path: pathOf('meta', 'resourceType'), literal: stringLiteral(fc.constantFrom('User', 'user', 'Us', 'Group')) },
  { path: pathOf('meta', 'version'), literal: stringLiteral(fc.constantFrom('W/"3"', 'W/"1"', 'W/"1', 'w/"2"')) },
  { path: pathOf('meta'), literal: textLiteral },
  { path: pathOf('schemas'), literal: stringLiteral(cased(fc.constantFrom(CORE_USER_URN, ENTERPRISE_URN, 'urn:ietf'))) },
  { path: pathOf('employeeNumber', undefined, ENTERPRISE), literal: stringLiteral(fc.oneof(text, fc.constantFrom('1001', '100'))) },
  { path: pathOf('department', undefined, ENTERPRISE), literal: textLiteral },
  { path: pathOf('manager', undefined, ENTERPRISE), literal: stringLiteral(fc.constantFrom('m-1', 'M-1', 'm-2', 'm')) },
  { path: pathOf('manager', 'value', ENTERPRISE), literal: stringLiteral(fc.constantFrom('m-1', 'M-1', 'm-2', 'm')) },
  { path: pathOf('manager', 'displayName'), literal: textLiteral },
  { path: pathOf('level', undefined, TEST), literal: integerLiteral, operators: ORDERING },
  { path: pathOf('score', undefined, TEST), literal: decimalLiteral, operators: ORDERING },
  { path: pathOf('hiredAt', undefined, TEST), literal: dateTimeLiteral, operators: ORDERING },
  { path: pathOf('remote', undefined, TEST), literal: booleanLiteral, operators: EQUALITY },
  { path: pathOf('tags', undefined, TEST), literal: stringLiteral(cased(fc.constantFrom('red', 'Blue', 'x%', 'e'))) },
  { path: pathOf('badge', undefined, TEST), literal: textLiteral },
  { path: pathOf('badge', 'issuedAt', TEST), literal: dateTimeLiteral, operators: ORDERING },
  { path: pathOf('shifts', 'value'), literal: integerLiteral, operators: ORDERING },
  { path: pathOf('shifts', 'start', TEST), literal: dateTimeLiteral, operators: ORDERING },
  { path: pathOf('shifts'), literal: integerLiteral, operators: ORDERING },
  // An unknown attribute and a sub-attribute that does not exist: invalidFilter on both sides.
  { path: pathOf('nosuch'), literal: textLiteral },
  { path: pathOf('name', 'nosuch'), literal: textLiteral },
];

/** Value filters: the attribute and its sub-attributes as they are named inside `[...]`. */
const VALUE_PATH_ATTRIBUTES: readonly { readonly path: fc.Arbitrary<AttributePath>; readonly subAttributes: readonly AttributeChoice[] }[] = [
  {
    path: pathOf('emails', undefined, CORE),
    subAttributes: [
      { path: pathOf('value'), literal: emailLiteral },
      { path: pathOf('type'), literal: stringLiteral(fc.constantFrom(...EMAIL_TYPES)) },
      { path: pathOf('primary'), literal: booleanLiteral, operators: EQUALITY },
      { path: pathOf('display'), literal: textLiteral },
    ],
  },
  {
    path: pathOf('phoneNumbers'),
    subAttributes: [
      { path: pathOf('value'), literal: stringLiteral(fc.constantFrom(...PHONE_VALUES)) },
      { path: pathOf('type'), literal: stringLiteral(fc.constantFrom(...PHONE_TYPES)) },
    ],
  },
  {
    path: pathOf('shifts', undefined, TEST),
    subAttributes: [
      { path: pathOf('value'), literal: integerLiteral, operators: ORDERING },
      { path: pathOf('type'), literal: stringLiteral(cased(fc.constantFrom('early', 'late'))) },
      { path: pathOf('start'), literal: dateTimeLiteral, operators: ORDERING },
    ],
  },
  // Singular complex attributes take value filters too (the element is the attribute itself).
  {
    path: pathOf('name'),
    subAttributes: [
      { path: pathOf('givenName'), literal: textLiteral },
      { path: pathOf('familyName'), literal: textLiteral },
    ],
  },
  {
    path: pathOf('manager', undefined, ENTERPRISE),
    subAttributes: [{ path: pathOf('value'), literal: stringLiteral(fc.constantFrom('m-1', 'M-1')) }],
  },
  {
    path: pathOf('meta'),
    subAttributes: [
      { path: pathOf('created'), literal: dateTimeLiteral, operators: ORDERING },
      { path: pathOf('resourceType'), literal: stringLiteral(fc.constantFrom('User', 'user')) },
    ],
  },
];

function attributeExpression(choices: readonly AttributeChoice[]): fc.Arbitrary<Filter> {
  const choice = fc.constantFrom(...choices);
  const comparison = choice.chain((attribute) =>
    fc.record({
      kind: fc.constant('compare' as const),
      path: attribute.path,
      op: fc.oneof(
        { weight: 15, arbitrary: fc.constantFrom(...(attribute.operators ?? ALL_OPERATORS)) },
        { weight: 1, arbitrary: fc.constantFrom(...ALL_OPERATORS) },
      ),
      value: attribute.literal,
    }),
  );
  const present = choice.chain((attribute) => fc.record({ kind: fc.constant('present' as const), path: attribute.path }));
  return fc.oneof({ weight: 6, arbitrary: comparison }, { weight: 1, arbitrary: present });
}

function logic(atom: fc.Arbitrary<Filter>, maxDepth: number): fc.Arbitrary<Filter> {
  if (maxDepth === 0) return atom;
  const inner = logic(atom, maxDepth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: atom },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('and' as const), left: inner, right: inner }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('or' as const), left: inner, right: inner }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('not' as const), filter: inner }) },
  );
}

const valuePath: fc.Arbitrary<Filter> = fc
  .constantFrom(...VALUE_PATH_ATTRIBUTES)
  .chain(({ path, subAttributes }) =>
    fc.record({ kind: fc.constant('valuePath' as const), path, filter: logic(attributeExpression(subAttributes), 2) }),
  );

/** Entra's matching filter, `emails[type eq "work"].value eq "x"`, as the parser gives it (the hot-column shape). */
const entraWorkEmail: fc.Arbitrary<Filter> = fc
  .record({ emails: pathOf('emails'), type: pathOf('type'), value: pathOf('value'), workType: cased(fc.constant('work')), address: emailLiteral })
  .map(({ emails, type, value, workType, address }) => ({
    kind: 'valuePath',
    path: emails,
    filter: {
      kind: 'and',
      left: { kind: 'compare', path: type, op: 'eq', value: workType },
      right: { kind: 'compare', path: value, op: 'eq', value: address },
    },
  }));

const atom: fc.Arbitrary<Filter> = fc.oneof(
  { weight: 8, arbitrary: attributeExpression(TOP_LEVEL_ATTRIBUTES) },
  { weight: 3, arbitrary: valuePath },
  { weight: 1, arbitrary: entraWorkEmail },
);

export const filterArbitrary: fc.Arbitrary<Filter> = logic(atom, 3);

/**
 * An `and` of two to five value filters on one multi-valued attribute, possibly with other atoms between them and
 * under a `not`: what FilterSqlCompiler answers with one walk over the elements (conjunctionWithSharedWalks).
 */
export const sharedWalkArbitrary: fc.Arbitrary<Filter> = fc
  .constantFrom(...VALUE_PATH_ATTRIBUTES)
  .chain(({ path, subAttributes }) =>
    fc.tuple(
      fc.array(fc.record({ kind: fc.constant('valuePath' as const), path, filter: logic(attributeExpression(subAttributes), 2) }), { minLength: 2, maxLength: 5 }),
      fc.array(atom, { maxLength: 2 }),
      fc.integer({ min: 0, max: 3 }).map((roll) => roll === 0),
    ),
  )
  .map(([valuePaths, others, negated]) => {
    const [first, ...rest] = [...valuePaths, ...others];
    const conjunction = rest.reduce<Filter>((left, right) => ({ kind: 'and', left, right }), first);
    return negated ? { kind: 'not', filter: conjunction } : conjunction;
  });

/** The filter as SCIM text, for failure messages. */
export function formatFilter(filter: Filter): string {
  const path = (p: AttributePath): string => `${p.uri ? `${p.uri}:` : ''}${p.attribute}${p.subAttribute ? `.${p.subAttribute}` : ''}`;
  switch (filter.kind) {
    case 'and':
      return `(${formatFilter(filter.left)} and ${formatFilter(filter.right)})`;
    case 'or':
      return `(${formatFilter(filter.left)} or ${formatFilter(filter.right)})`;
    case 'not':
      return `not (${formatFilter(filter.filter)})`;
    case 'present':
      return `${path(filter.path)} pr`;
    case 'compare':
      return `${path(filter.path)} ${filter.op} ${JSON.stringify(filter.value)}`;
    case 'valuePath':
      return `${path(filter.path)}[${formatFilter(filter.filter)}]`;
  }
}
