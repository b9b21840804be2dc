import http from 'node:http';
import fc from 'fast-check';

/**
 * Hostile HTTP requests for the fuzz of issue 12: every SCIM and admin endpoint, sent what an attacker or a careless
 * client would send (NUL characters, lone surrogates, strings past the index limits, deep nesting, `null` where an
 * object is expected, prototype-shaped keys, huge filters, broken JSON), and the oracle every answer must pass
 * (no 5xx; every 4xx a proper SCIM error). Shared by test/http-fuzz.e2e.spec.ts (a seeded, bounded run in CI) and
 * bench/hostile-fuzz.ts (the 5,000-request run against built gateways, with their RSS before and after).
 */

export interface HostileRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Already encoded for the request line. */
  readonly path: string;
  readonly auth: 'scim' | 'admin';
  /** Raw body text (undefined: no body). */
  readonly body?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HostileTargets {
  readonly tenantId: string;
  readonly userIds: readonly string[];
  readonly groupIds: readonly string[];
}

export interface HostileAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The `Allow` header, which a 405 must carry (RFC 9110 §15.5.6). */
  readonly allow?: string;
}

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12, table 9: the scimType values and the status each comes with. */
const SCIM_TYPE_STATUS: Readonly<Record<string, number>> = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
};

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Strings no well-behaved client sends, each a case from the issue or a classic of its kind. */
const HOSTILE_STRINGS: readonly string[] = [
  'a\u0000b',
  '\u0000',
  'x\ud800',
  '\udc00y',
  'a'.repeat(2_000),
  'b'.repeat(3_000) + '@example.com',
  'c'.repeat(70_000),
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  "' OR 1=1 --",
  '"; DROP TABLE scim_users; --',
  '%00',
  '%ZZ',
  '%ED%A0%80',
  '../../etc/passwd',
  '\u202e\u0644\u0627',
  '😀'.repeat(300),
  '',
  ' ',
  '\t\n\r',
  '\\',
  '"',
  'null',
  '1e309',
  '-0',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName',
  'emails[value co "a"]',
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** JSON values of every kind, hostile ones weighted up. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(true, false, 0, -1, 1.5, 2 ** 53 + 1, Number.MAX_VALUE, -Number.MAX_VALUE) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [null], [{}], { value: null }, { __proto__: null, constructor: 'x' } as unknown) },
  { weight: 1, arbitrary: fc.constantFrom(protoObject('__proto__'), protoObject('constructor'), protoObject('prototype')) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
);

/** An object whose own key is a prototype-shaped name (JSON.parse makes such own keys; so do we). */
function protoObject(key: string): Record<string, unknown> {
  return JSON.parse(`{"${key}":{"polluted":"yes"},"value":"v"}`) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------
// Filters

const FILTER_ATTRIBUTES = ['userName', 'externalId', 'displayName', 'emails', 'emails.value', 'name.familyName', 'active', 'meta.lastModified', 'members', 'members.value', 'groups', 'id', `${ENTERPRISE_USER}:employeeNumber`, `${ENTERPRISE_USER}:manager.value`, 'x'.repeat(300), '__proto__', 'constructor'];
const FILTER_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'xx'];

function filterValueLiteral(value: string): string {
  return JSON.stringify(value);
}

const simpleFilter = fc
  .record({ attribute: fc.constantFrom(...FILTER_ATTRIBUTES), operator: fc.constantFrom(...FILTER_OPERATORS), value: hostileString })
  .map(({ attribute, operator, value }) => (operator === 'pr' ? `${attribute} pr` : `${attribute} ${operator} ${filterValueLiteral(value)}`));

/** Filters shaped to cost: the issue's 100-to-4,000-term `co` chains, deep nesting, long `or` lists. */
const expensiveFilter = fc.oneof(
  fc.integer({ min: 50, max: 4_000 }).map((terms) => Array.from({ length: terms }, (_, i) => `emails[value co "${i}"]`).join(' and ')),
  fc.integer({ min: 50, max: 10_000 }).map((terms) => Array.from({ length: terms }, (_, i) => `userName eq "u${i}"`).join(' or ')),
  fc.integer({ min: 20, max: 3_000 }).map((depth) => `${'('.repeat(depth)}userName eq "a"${')'.repeat(depth)}`),
  fc.integer({ min: 20, max: 1_000 }).map((depth) => `${'not ('.repeat(depth)}userName eq "a"${')'.repeat(depth)}`),
  fc.integer({ min: 20, max: 500 }).map((depth) => `${'emails['.repeat(depth)}value eq "a"${']'.repeat(depth)}`),
  fc.constantFrom('(', ')', '[', ']', 'userName eq', 'eq "a"', 'userName eq "a" and', 'not', '"unterminated', 'userName eq "a"]'),
);

const hostileFilter = fc.oneof(
  { weight: 3, arbitrary: simpleFilter },
  { weight: 2, arbitrary: fc.array(simpleFilter, { minLength: 2, maxLength: 6 }).chain((parts) => fc.constantFrom(' and ', ' or ').map((joiner) => parts.join(joiner))) },
  { weight: 2, arbitrary: expensiveFilter },
  { weight: 1, arbitrary: hostileString },
);

// ---------------------------------------------------------------------------------------------------------------
// Bodies

function validUser(suffix: string): Record<string, unknown> {
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    userName: `fuzz-${suffix}@example.com`,
    externalId: `fuzz-ext-${suffix}`,
    active: true,
    displayName: `Fuzz ${suffix}`,
    name: { givenName: 'Fuzz', familyName: suffix },
    emails: [{ value: `fuzz-${suffix}@example.com`, type: 'work', primary: true }],
    [ENTERPRISE_USER]: { employeeNumber: '1', department: 'QA' },
  };
}

function validGroup(suffix: string, memberIds: readonly string[]): Record<string, unknown> {
  return { schemas: [CORE_GROUP], displayName: `fuzz-group-${suffix}`, members: memberIds.map((value) => ({ value })) };
}

/** Replaces one value somewhere in `body` (or adds a key) with a hostile one; returns a new object. */
function mutate(body: unknown, path: readonly number[], replacement: unknown, newKey: string | null): unknown {
  const copy = structuredClone(body);
  const containers: unknown[] = [];
  const stack: unknown[] = [copy];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value !== null && typeof value === 'object') {
      containers.push(value);
      for (const child of Object.values(value as Record<string, unknown>)) stack.push(child);
    }
  }
  const container = containers[(path[0] ?? 0) % containers.length] as Record<string, unknown> | unknown[];
  if (Array.isArray(container)) {
    if (container.length === 0 || newKey !== null) container.push(replacement);
    else container[(path[1] ?? 0) % container.length] = replacement;
  } else if (newKey !== null) {
    Object.defineProperty(container, newKey, { value: replacement, enumerable: true, writable: true, configurable: true });
  } else {
    const keys = Object.keys(container);
    if (keys.length === 0) Object.defineProperty(container, 'x', { value: replacement, enumerable: true, writable: true, configurable: true });
    else container[keys[(path[1] ?? 0) % keys.length]] = replacement;
  }
  return copy;
}

const mutation = fc.record({
  path: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }),
  replacement: hostileValue,
  newKey: fc.option(fc.constantFrom('__proto__', 'constructor', 'prototype', 'x\u0000y', 'unknownAttribute', 'a'.repeat(500), '', 'schemas', 'id', 'meta'), { nil: null }),
});

/** Raw texts that are not the JSON a route expects at all. */
const RAW_BODIES: readonly string[] = [
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '42',
  '{"a":1,"a":2}',
  '{"schemas":null}',
  `${'['.repeat(3_000)}${']'.repeat(3_000)}`,
  `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
  '{"userName":"a\\u0000b","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}',
  '{"userName":"x\\ud800","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}',
  '{"__proto__":{"admin":true},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"proto@example.com"}',
];

function bodyFromValue(base: unknown): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(JSON.stringify(base)) },
    { weight: 5, arbitrary: mutation.map(({ path, replacement, newKey }) => JSON.stringify(mutate(base, path, replacement, newKey))) },
    { weight: 1, arbitrary: fc.tuple(mutation, mutation).map(([a, b]) => JSON.stringify(mutate(mutate(base, a.path, a.replacement, a.newKey), b.path, b.replacement, b.newKey))) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
  );
}

function patchBody(targets: HostileTargets, resource: 'Users' | 'Groups'): fc.Arbitrary<string> {
  const memberValue = fc.constantFrom(...targets.userIds, ...targets.groupIds, 'no-such-id');
  const operation = fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'copy'), path: fc.option(fc.oneof(fc.constantFrom('displayName', 'active', 'emails[type eq "work"].value', 'name.givenName', 'members', `members[value eq "${targets.userIds[0]}"]`, `${ENTERPRISE_USER}:manager`, 'emails[value co "a"]'), hostileFilter), { nil: undefined }), value: hostileValue }),
    memberValue.map((value) => ({ op: 'add', path: 'members', value: [{ value }] })),
    fc.constant({ op: 'replace', value: { active: false } }),
    fc.constant({ op: 'add', value: { constructor: 'x' } }),
    fc.integer({ min: 100, max: 3_000 }).map((depth) => ({ op: 'add', path: resource === 'Users' ? 'displayName' : 'displayName', value: JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown })),
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.array(operation, { minLength: 1, maxLength: 4 }).map((Operations) => JSON.stringify({ schemas: [PATCH_OP], Operations })) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((count) => JSON.stringify({ schemas: [PATCH_OP], Operations: Array.from({ length: count }, (_, i) => ({ op: 'replace', path: 'displayName', value: `d${i}` })) })) },
    { weight: 2, arbitrary: bodyFromValue({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }) },
  );
}

function searchBody(): fc.Arbitrary<string> {
  const base = fc.record(
    {
      schemas: fc.constant([SEARCH_REQUEST]),
      filter: fc.option(hostileFilter, { nil: null }),
      sortBy: fc.option(fc.oneof(fc.constantFrom('userName', 'displayName', 'emails.value', 'meta.created'), hostileString), { nil: null }),
      sortOrder: fc.option(fc.oneof(fc.constantFrom('ascending', 'descending'), hostileString), { nil: null }),
      startIndex: fc.option(fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), hostileValue), { nil: null }),
      count: fc.option(fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), hostileValue), { nil: null }),
      attributes: fc.option(fc.oneof(fc.array(fc.constantFrom('userName', 'emails', 'name.givenName', 'groups', 'members'), { maxLength: 3 }), fc.array(hostileString, { maxLength: 4 }), fc.integer({ min: 100, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => `a${i}`))), { nil: null }),
      excludedAttributes: fc.option(fc.oneof(fc.constant(['members']), hostileValue), { nil: null }),
    },
    { requiredKeys: ['schemas'] },
  );
  return fc.oneof({ weight: 4, arbitrary: base.map((value) => JSON.stringify(value)) }, { weight: 1, arbitrary: bodyFromValue({ schemas: [SEARCH_REQUEST], filter: 'userName sw "a"' }) });
}

function bulkBody(targets: HostileTargets): fc.Arbitrary<string> {
  const operation = fc.record(
    {
      method: fc.oneof(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'post', 'GET'), hostileValue),
      path: fc.oneof(fc.constantFrom('/Users', '/Groups', `/Users/${targets.userIds[0]}`, `/Groups/${targets.groupIds[0]}`, '/Users/bulkId:a', '/Bulk'), hostileValue),
      bulkId: fc.option(fc.oneof(fc.constantFrom('a', 'b'), hostileValue), { nil: null }),
      version: fc.option(fc.oneof(fc.constantFrom('W/"1"', '"1"'), hostileValue), { nil: null }),
      data: fc.option(fc.oneof(fc.constant(validUser('bulk')), hostileValue), { nil: null }),
    },
    { requiredKeys: ['method', 'path'] },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ failOnErrors: fc.option(fc.oneof(fc.integer({ min: -1, max: 3 }), hostileValue), { nil: null }), Operations: fc.array(operation, { minLength: 1, maxLength: 4 }) }).map(({ failOnErrors, Operations }) => JSON.stringify({ schemas: [BULK_REQUEST], failOnErrors, Operations })) },
    { weight: 1, arbitrary: bodyFromValue({ schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: validUser('bulk2') }] }) },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Paths and query strings

/**
 * Percent-encodes every UTF-16 code unit; a lone surrogate becomes its three WTF-8 bytes (%ED%A0%80), which is what
 * reaches a server from a client that does not check (encodeURIComponent would throw instead of sending it).
 */
export function encodeHostile(text: string): string {
  let encoded = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      encoded += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      encoded += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    } else {
      encoded += encodeURIComponent(text[i]);
    }
  }
  return encoded;
}

function hostileId(ids: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids).map((id) => encodeHostile(id)) }, { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 8_000).map(encodeHostile) }, { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '..', '.search', '%2e%2e') });
}

const LIST_PARAMETERS = ['filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'attributes', 'excludedAttributes', 'FILTER', 'Count'];

const queryString = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: hostileFilter.map((filter) => ['filter', filter] as const) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...LIST_PARAMETERS), fc.oneof(hostileString, fc.integer({ min: -10, max: 10_000_000 }).map(String))) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 2_000 }).map((n) => ['attributes', Array.from({ length: n }, (_, i) => `a${i}`).join(',')] as const) },
    ),
    { maxLength: 3 },
  )
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${encodeHostile(value)}`).join('&')}`));

const IF_MATCH = fc.oneof(fc.constantFrom('W/"1"', '"1"', '*', 'W/"99999999999999999999999"', 'W/"-1"', 'garbage', 'W/"1", W/"2"'), hostileString.filter((s) => /^[\x20-\x7e]*$/.test(s)));

// ---------------------------------------------------------------------------------------------------------------
// Requests

/** Every SCIM and admin endpoint, each with hostile ids, query strings, headers and bodies. */
export function hostileRequest(targets: HostileTargets): fc.Arbitrary<HostileRequest> {
  const userId = hostileId(targets.userIds);
  const groupId = hostileId(targets.groupIds);
  const scimBase = fc.constantFrom('/scim/v2', '/scim/v2/dry-run');
  const tenant = fc.oneof({ weight: 3, arbitrary: fc.constant(targets.tenantId) }, { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 4_000).map(encodeHostile) });
  const ifMatch = fc.option(IF_MATCH, { nil: undefined }).map((value) => (value === undefined ? undefined : { 'If-Match': value }));
  const scim = (method: HostileRequest['method'], path: fc.Arbitrary<string>, body?: fc.Arbitrary<string>, headers?: fc.Arbitrary<Record<string, string> | undefined>): fc.Arbitrary<HostileRequest> =>
    fc.record({ base: scimBase, path, body: body ?? fc.constant(undefined), headers: headers ?? fc.constant(undefined) }).map(({ base, path, body, headers }) => ({ method, path: `${base}${path}`, auth: 'scim' as const, body, headers }));
  const admin = (method: HostileRequest['method'], path: fc.Arbitrary<string>, body?: fc.Arbitrary<string>): fc.Arbitrary<HostileRequest> =>
    fc.record({ path, body: body ?? fc.constant(undefined) }).map(({ path, body }) => ({ method, path: `/admin/v1${path}`, auth: 'admin' as const, body }));
  const suffix = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 6, maxLength: 6 });
  const userBody = suffix.chain((s) => bodyFromValue(validUser(s)));
  const groupBody = suffix.chain((s) => bodyFromValue(validGroup(s, targets.userIds.slice(0, 2))));
  const resourceType = fc.constantFrom('Users', 'Groups', 'User', 'Group', 'x');
  const adminBody = fc.oneof(bodyFromValue({ tenantId: 'fuzz-tenant', displayName: 'x' }), bodyFromValue({ label: 'l', expiresAt: '2030-01-01T00:00:00Z', graceSeconds: 10 }), fc.constantFrom(...RAW_BODIES));

  return fc.oneof(
    scim('POST', fc.constant('/Users'), userBody),
    scim('GET', queryString.map((q) => `/Users${q}`)),
    scim('POST', fc.constantFrom('/Users/.search', '/Groups/.search', '/.search'), searchBody()),
    scim('GET', fc.tuple(userId, queryString).map(([id, q]) => `/Users/${id}${q}`)),
    scim('PUT', userId.map((id) => `/Users/${id}`), userBody, ifMatch),
    scim('PATCH', userId.map((id) => `/Users/${id}`), patchBody(targets, 'Users'), ifMatch),
    scim('DELETE', hostileId(['no-such-user']).map((id) => `/Users/${id}`), undefined, ifMatch),
    scim('POST', fc.constant('/Groups'), groupBody),
    scim('GET', queryString.map((q) => `/Groups${q}`)),
    scim('GET', fc.tuple(groupId, queryString).map(([id, q]) => `/Groups/${id}${q}`)),
    scim('PUT', groupId.map((id) => `/Groups/${id}`), groupBody, ifMatch),
    scim('PATCH', groupId.map((id) => `/Groups/${id}`), patchBody(targets, 'Groups'), ifMatch),
    scim('POST', fc.constant('/Bulk'), bulkBody(targets)),
    scim('GET', fc.oneof(fc.constantFrom('/ServiceProviderConfig', '/Schemas', '/ResourceTypes', '/ResourceTypes/User'), hostileString.filter((s) => s.length < 4_000).map((s) => `/Schemas/${encodeHostile(s)}`))),
    scim('POST', fc.constantFrom('/ServiceProviderConfig', '/Schemas', '/Users/x/y', '/Me'), fc.constantFrom(...RAW_BODIES)),
    admin('POST', fc.constant('/tenants'), adminBody),
    admin('GET', tenant.map((t) => `/tenants/${t}`)),
    admin('POST', tenant.map((t) => `/tenants/${t}/tokens`), adminBody),
    admin('POST', fc.tuple(tenant, hostileId(['no-such-token'])).map(([t, id]) => `/tenants/${t}/tokens/${id}/rotate`), adminBody),
    admin('GET', fc.tuple(tenant, resourceType, fc.oneof(userId, groupId)).map(([t, type, id]) => `/tenants/${t}/history/${type}/${id}`)),
    admin('GET', fc.tuple(tenant, resourceType, userId, fc.oneof(fc.constantFrom('2020-01-01T00:00:00Z', 'now', ''), hostileString)).map(([t, type, id, asOf]) => `/tenants/${t}/resources/${type}/${id}?asOf=${encodeHostile(asOf)}`)),
    admin('GET', fc.tuple(tenant, fc.oneof(fc.constantFrom('0:0', '1', '-1:-1', '99999999999999999999:0'), hostileString)).map(([t, after]) => `/tenants/${t}/export?after=${encodeHostile(after)}`)),
    admin('GET', fc.tuple(tenant, queryString, fc.oneof(fc.constantFrom('status=4xx', 'status=404', 'from=2020-01-01T00:00:00Z', 'resourceType=User', 'limit=100000', 'dryRun=maybe'), hostileString.map((s) => `status=${encodeHostile(s)}`))).map(([t, q, extra]) => `/tenants/${t}/provisioning-log${q === '' ? '?' : `${q}&`}${extra}`)),
    admin('PUT', tenant.map((t) => `/tenants/${t}/schemas`), bodyFromValue([{ resourceType: 'User', schema: { id: 'urn:ietf:params:scim:schemas:extension:Fuzz:2.0:User', attributes: [{ name: 'costCenter', type: 'string' }] } }])),
    admin('POST', fc.constant('/admin-tokens'), adminBody),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Sending and judging

/** Sends one request over node:http (no client-side checks on what it sends, unlike fetch). */
export function sendHostile(baseUrl: string, tokens: { readonly scim: string; readonly admin: string }, request: HostileRequest, timeoutMs = 30_000): Promise<HostileAnswer> {
  const url = new URL(baseUrl);
  const payload = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        // A connection of its own per request: a socket the server closed after a refused request (431) must not
        // turn the next request's answer into a reset.
        agent: false,
        headers: {
          Authorization: `Bearer ${request.auth === 'scim' ? tokens.scim : tokens.admin}`,
          ...(payload ? { 'Content-Type': request.contentType ?? 'application/scim+json', 'Content-Length': payload.length } : {}),
          ...request.headers,
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            allow: response.headers.allow,
          }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/**
 * What every answer must be (issue 12): never a 5xx; every 4xx a SCIM error whose `status` is the HTTP status as a
 * string, with a `detail` and, where RFC 7644 §3.12 defines one for a 400, a `scimType` matching the status; a
 * 405 (which has none) with `Allow`.
 * Returns the problems found (empty: the answer is proper).
 */
export function judgeAnswer(answer: HostileAnswer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`answered ${answer.status}`);
  if (answer.status < 400) return problems;
  // A known path asked with another method: 405 with the methods it serves, no scimType (RFC 7644 §3.12).
  if (answer.status === 405 && !answer.allow) problems.push('a 405 without an Allow header');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return [...problems, `error body is not JSON: ${JSON.stringify(answer.text.slice(0, 120))}`];
  }
  if (!/json/.test(answer.contentType)) problems.push(`error content type ${answer.contentType}`);
  if (!Array.isArray(body.schemas) || !body.schemas.includes(ERROR_SCHEMA)) problems.push('error without the SCIM Error schema');
  if (body.status !== String(answer.status)) problems.push(`error status ${JSON.stringify(body.status)} for HTTP ${answer.status}`);
  if (typeof body.detail !== 'string' || body.detail.trim() === '') problems.push('error without a detail');
  if (body.scimType !== undefined) {
    const expected = SCIM_TYPE_STATUS[String(body.scimType)];
    if (expected === undefined) problems.push(`unknown scimType ${JSON.stringify(body.scimType)}`);
    else if (expected !== answer.status) problems.push(`scimType ${String(body.scimType)} with status ${answer.status}`);
  } else if (answer.status === 400 || answer.status === 409) {
    problems.push(`a ${answer.status} without a scimType`);
  }
  return problems;
}

/** One line for a report: the request, shortened. */
export function describeRequest(request: HostileRequest): string {
  const body = request.body === undefined ? '' : ` ${request.body.length > 160 ? `${request.body.slice(0, 160)}... (${request.body.length} chars)` : request.body}`;
  const path = request.path.length > 200 ? `${request.path.slice(0, 200)}... (${request.path.length} chars)` : request.path;
  return `${request.method} ${path}${body}`;
}
