#!/usr/bin/env node
// Runs a Runscope "API Monitoring Tests" export (Okta's SCIM 2.0 SPEC test, run.sh's SOURCES) the way Runscope runs it,
// since Runscope itself is a hosted service we cannot reach. What it does, step by step, as Okta's guide says
// (okta-developer-docs, docs/guides/scim-provisioning-integration-prepare, "Customize the imported Runscope test"):
//   - initial variables SCIMBaseURL and auth ("Bearer <token>"), then the bucket's Initial Script
//     (Initial_Script_Spec.txt) with Runscope's `variables` object;
//   - each step in order: `pause` steps wait their `duration` seconds, `request` steps substitute {{variables}} in
//     the URL, headers and body, send the request, check every assertion, run every non-empty post-response
//     script (one check each, Runscope's `assert`, `log`, `response` and `variables`), then extract variables;
//   - a request that fails to connect fails all its assertions.
// Assertion semantics follow Runscope's documented comparisons; none is relaxed here. Okta's precondition ("Create
// at least one user in your SCIM server before running the Okta SCIM API test suite") is met by --seed-user, which
// creates one user with realistic values only when the server has none; it is setup, not a counted check.
//
// Usage: node okta-runscope-runner.mjs --test FILE --initial-script FILE --base-url URL --auth "Bearer T"
//          [--seed-user] [--json OUT]
// Prints one line per check and exits 0 when all pass, 1 otherwise.
import { readFileSync, writeFileSync } from 'node:fs';
import vm from 'node:vm';
import nodeAssert from 'node:assert';

function parseArgs(argv) {
  const options = { seedUser: false };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = () => argv[++i];
    if (name === '--test') options.test = value();
    else if (name === '--initial-script') options.initialScript = value();
    else if (name === '--base-url') options.baseUrl = value();
    else if (name === '--auth') options.auth = value();
    else if (name === '--json') options.json = value();
    else if (name === '--seed-user') options.seedUser = true;
    else throw new Error(`unknown option ${name}`);
  }
  for (const required of ['test', 'initialScript', 'baseUrl', 'auth']) {
    if (!options[required]) throw new Error(`--${required.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is required`);
  }
  return options;
}

/** Runscope's {{name}} substitution; an unknown variable stays as written, as in Runscope. */
function substitute(text, variables) {
  if (typeof text !== 'string') return text;
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name) => (variables.has(name) ? String(variables.get(name)) : whole));
}

/** A Runscope property path: `Resources[0].name.familyName`, `emails[0].value`, `schemas`. */
function readProperty(json, property) {
  if (property === undefined || property === null || property === '') return json;
  let current = json;
  for (const [, key, index] of property.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (current === null || current === undefined) return undefined;
    current = key !== undefined ? current[key] : current[Number(index)];
  }
  return current;
}

/** The text Runscope compares: strings as they are, everything else as JSON (true -> "true", 0 -> "0"). */
function asText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isEmpty(value) {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

const COMPARISONS = {
  equal: (actual, expected) => actual !== undefined && asText(actual) === expected,
  not_equal: (actual, expected) => asText(actual) !== expected,
  empty: (actual) => isEmpty(actual),
  not_empty: (actual) => !isEmpty(actual),
  has_value: (actual, expected) =>
    Array.isArray(actual)
      ? actual.some((item) => asText(item) === expected)
      : actual !== null && typeof actual === 'object' && Object.values(actual).some((item) => asText(item) === expected),
  contains: (actual, expected) =>
    Array.isArray(actual) ? actual.some((item) => asText(item).includes(expected)) : actual !== undefined && asText(actual).includes(expected),
  does_not_contain: (actual, expected) => actual === undefined || !asText(actual).includes(expected),
  is_a_number: (actual) => (typeof actual === 'number' && Number.isFinite(actual)) || (typeof actual === 'string' && actual.trim() !== '' && Number.isFinite(Number(actual))),
  equal_number: (actual, expected) => actual !== undefined && actual !== null && actual !== '' && Number(actual) === Number(expected),
  is_less_than: (actual, expected) => Number(actual) < Number(expected),
  is_less_than_or_equal: (actual, expected) => Number(actual) <= Number(expected),
  is_greater_than: (actual, expected) => Number(actual) > Number(expected),
  is_greater_than_or_equal: (actual, expected) => Number(actual) >= Number(expected),
};

function describeAssertion(assertion) {
  const where = assertion.property ? `${assertion.source}.${assertion.property}` : assertion.source;
  return `${where} ${assertion.comparison}${assertion.value === null || assertion.value === undefined ? '' : ` ${assertion.value}`}`;
}

function headersOf(step, variables) {
  const headers = {};
  for (const [name, values] of Object.entries(step.headers ?? {})) {
    headers[name] = substitute(Array.isArray(values) ? values.join(', ') : String(values), variables);
  }
  return headers;
}

async function send(step, variables) {
  const url = encodeURI(substitute(step.url, variables));
  const started = performance.now();
  const response = await fetch(url, {
    method: step.method,
    headers: headersOf(step, variables),
    body: step.body && !['GET', 'HEAD'].includes(step.method) ? substitute(step.body, variables) : undefined,
  });
  const body = await response.text();
  const time = performance.now() - started;
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { url, status: response.status, body, json, time, headers: Object.fromEntries(response.headers) };
}

function runScript(source, context, name) {
  vm.runInNewContext(source, context, { filename: name, timeout: 5_000 });
}

/** The subset of chai's `assert` Runscope scripts use: callable, with ok/equal/... (Node's assert has that shape). */
function scriptAssert() {
  const assert = (value, message) => nodeAssert.ok(value, message);
  return Object.assign(assert, {
    ok: nodeAssert.ok,
    equal: nodeAssert.equal,
    notEqual: nodeAssert.notEqual,
    strictEqual: nodeAssert.strictEqual,
    deepEqual: nodeAssert.deepStrictEqual,
    isTrue: (value, message) => nodeAssert.strictEqual(value, true, message),
    isFalse: (value, message) => nodeAssert.strictEqual(value, false, message),
    isArray: (value, message) => nodeAssert.ok(Array.isArray(value), message),
  });
}

async function seedUser(options) {
  const headers = { Authorization: options.auth, 'Content-Type': 'application/scim+json', Accept: 'application/scim+json' };
  const list = await fetch(`${options.baseUrl}/Users?count=1&startIndex=1`, { headers });
  const listed = await list.json();
  if (listed.totalResults > 0) return 'the server already has a user';
  const created = await fetch(`${options.baseUrl}/Users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'okta.precondition@example.com',
      name: { givenName: 'Okta', familyName: 'Precondition' },
      emails: [{ primary: true, value: 'okta.precondition@example.com', type: 'work' }],
      displayName: 'Okta Precondition',
      active: true,
    }),
  });
  if (created.status !== 201) throw new Error(`seeding the precondition user failed: ${created.status} ${await created.text()}`);
  return 'created okta.precondition@example.com';
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const test = JSON.parse(readFileSync(options.test, 'utf8'));
  const variables = new Map([
    ['SCIMBaseURL', options.baseUrl],
    ['auth', options.auth],
  ]);
  const runscopeVariables = { get: (name) => variables.get(name), set: (name, value) => variables.set(name, value) };
  runScript(readFileSync(options.initialScript, 'utf8'), { variables: runscopeVariables, Math }, 'initial-script');
  if (options.seedUser) console.log(`precondition: ${await seedUser(options)}`);

  const checks = [];
  const record = (step, name, passed, detail) => {
    checks.push({ step: step.note, check: name, passed, detail });
    console.log(`${passed ? 'PASS' : 'FAIL'}  ${step.note} :: ${name}${passed || !detail ? '' : `  (${detail})`}`);
  };

  for (const step of test.steps) {
    if (step.skipped) continue;
    if (step.step_type === 'pause') {
      await new Promise((resolve) => setTimeout(resolve, step.duration * 1000));
      continue;
    }
    if (step.step_type !== 'request') throw new Error(`step type ${step.step_type} is not supported by this runner`);

    let response;
    try {
      response = await send(step, variables);
    } catch (error) {
      for (const assertion of step.assertions) record(step, describeAssertion(assertion), false, `request failed: ${error.message}`);
      continue;
    }
    const sources = { response_status: () => response.status, response_time: () => response.time, response_text: () => response.body };
    for (const assertion of step.assertions) {
      const actual = assertion.source === 'response_json' ? readProperty(response.json, assertion.property) : sources[assertion.source]?.();
      const compare = COMPARISONS[assertion.comparison];
      if (!compare) throw new Error(`comparison ${assertion.comparison} is not supported by this runner`);
      const expected = substitute(assertion.value ?? undefined, variables);
      const passed = compare(actual, expected);
      record(step, describeAssertion({ ...assertion, value: expected }), passed, `${step.method} ${response.url} -> ${response.status}, actual ${asText(actual)}`);
    }
    for (const [index, script] of (step.scripts ?? []).entries()) {
      if (!script || !script.trim()) continue;
      const logs = [];
      const context = {
        response: { status: response.status, body: response.body, headers: response.headers, response_time_ms: response.time },
        assert: scriptAssert(),
        log: (...values) => logs.push(values.map(asText).join(' ')),
        variables: runscopeVariables,
        JSON,
        Array,
      };
      try {
        runScript(script, context, `${step.note} script ${index + 1}`);
        record(step, `script ${index + 1}`, true);
      } catch (error) {
        record(step, `script ${index + 1}`, false, error.message);
      }
    }
    for (const extraction of step.variables ?? []) {
      if (extraction.source === 'response_json') variables.set(extraction.name, readProperty(response.json, extraction.property));
      else if (extraction.source === 'response_status') variables.set(extraction.name, response.status);
    }
  }

  const passed = checks.filter((check) => check.passed).length;
  console.log(`okta: ${passed}/${checks.length} checks passed`);
  if (options.json) writeFileSync(options.json, JSON.stringify({ suite: 'okta', passed, total: checks.length, checks }, null, 2));
  process.exit(passed === checks.length ? 0 : 1);
}

main().catch((error) => {
  console.error(`okta runner: ${error.message}`);
  process.exit(2);
});
