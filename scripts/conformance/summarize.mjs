#!/usr/bin/env node
// Turns each suite's own output into one shape, {suite, passed, total, failures: [{name, detail}], note?}, and the
// shapes of a run into summary.md. Called by run.sh:
//   node summarize.mjs newman FILE        newman's JSON report (--reporter-json-export)
//   node summarize.mjs scim2-tester FILE [NOTE]  `scim2 ... test --verbose` output (one "STATUS check_name" line per check)
//   node summarize.mjs okta FILE [OUTPUT]  okta-runscope-runner.mjs --json output (OUTPUT: its console, for why it stopped)
//   node summarize.mjs scim-sanity FILE   `scim-sanity probe --json-output` output
//   node summarize.mjs report DIR SUITE...  summary.md from DIR/<suite>.json
import { existsSync, readFileSync } from 'node:fs';

const [mode, file, ...rest] = process.argv.slice(2);

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { unreadable: `${path}: ${error.message}` };
  }
}

function couldNotRun(suite, why) {
  return { suite, passed: 0, total: 0, failures: [], note: `did not run: ${why}` };
}

function oneLine(text) {
  return String(text ?? '').replace(/\s+/g, ' ').trim().slice(0, 300);
}

function newman(path) {
  const report = readJson(path);
  if (report.unreadable) return couldNotRun('microsoft', report.unreadable);
  // Name each request by its folder path, as newman's CLI does ("Group tests / Get Groups").
  const names = new Map();
  const walk = (items, prefix) => {
    for (const item of items) {
      const name = prefix ? `${prefix} / ${item.name}` : item.name;
      if (item.item) walk(item.item, name);
      else names.set(item.id, name);
    }
  };
  walk(report.collection?.item ?? [], '');
  const first = report.run.executions.find((execution) => execution.requestError);
  if (report.run.executions.every((execution) => !execution.response)) {
    return couldNotRun('microsoft', `no request got a response${first ? ` (${oneLine(first.requestError.message)})` : ''}`);
  }
  let total = 0;
  const failures = [];
  for (const execution of report.run.executions) {
    for (const assertion of execution.assertions ?? []) {
      total++;
      if (assertion.error) {
        failures.push({
          name: `${names.get(execution.item.id) ?? execution.item.name} :: ${assertion.assertion}`,
          detail: oneLine(`${execution.request?.method ?? ''} -> ${execution.response?.code ?? 'no response'}: ${assertion.error.message}`),
        });
      }
    }
  }
  // A script that throws outside pm.test() is a failure newman counts apart from the assertions.
  for (const failure of report.run.failures ?? []) {
    if (failure.error?.name === 'AssertionError' || failure.error?.test) continue;
    total++;
    failures.push({ name: `${failure.source?.name ?? 'collection'} :: ${failure.at ?? 'script'}`, detail: oneLine(failure.error?.message) });
  }
  return { suite: 'microsoft', passed: total - failures.length, total, failures };
}

function scim2Tester(path, note) {
  if (!existsSync(path)) return couldNotRun('scim2-tester', `${path} is missing`);
  const lines = readFileSync(path, 'utf8').split('\n');
  const discovery = lines.find((line) => line.startsWith('Error: Could not discover the server'));
  const checks = [];
  lines.forEach((line, index) => {
    const match = /^([A-Z]+) ([a-z0-9_]+)$/.exec(line);
    if (match) checks.push({ status: match[1], name: match[2], detail: oneLine(lines[index + 1]) });
  });
  if (checks.length === 0) return couldNotRun('scim2-tester', oneLine(discovery ?? lines.slice(0, 3).join(' ')));
  // SKIPPED checks are features the server does not advertise (e.g. sorting off): neither passed nor failed.
  const counted = checks.filter((check) => check.status !== 'SKIPPED');
  const failures = counted.filter((check) => check.status !== 'SUCCESS').map((check) => ({ name: check.name, detail: check.detail }));
  return { suite: 'scim2-tester', passed: counted.length - failures.length, total: counted.length, failures, ...(note ? { note } : {}) };
}

function okta(path, runnerOutput) {
  const report = readJson(path);
  if (report.unreadable) {
    const said = runnerOutput && existsSync(runnerOutput) ? readFileSync(runnerOutput, 'utf8').trim().split('\n').at(-1) : report.unreadable;
    return couldNotRun('okta', oneLine(said));
  }
  const failures = report.checks.filter((check) => !check.passed).map((check) => ({ name: `${check.step} :: ${check.check}`, detail: oneLine(check.detail) }));
  return { suite: 'okta', passed: report.passed, total: report.total, failures };
}

function scimSanity(path) {
  const report = readJson(path);
  if (report.unreadable || !report.results) return couldNotRun('scim-sanity', report.unreadable ?? 'no results in its output');
  // Skipped phases (Agent, AgenticApplication: draft extensions the server does not advertise) do not count.
  const counted = report.results.filter((result) => result.status !== 'skip');
  const failures = counted
    .filter((result) => result.status !== 'pass')
    .map((result) => ({ name: `${result.phase} :: ${result.name}`, detail: oneLine(`${result.status}: ${result.message ?? ''}`) }));
  return { suite: 'scim-sanity', passed: counted.length - failures.length, total: counted.length, failures, note: `mode ${report.mode}` };
}

function report(dir, suites) {
  const lines = [`# SCIM conformance run ${new Date().toISOString()}`, ''];
  lines.push('| suite | passed / total | note |', '|---|---|---|');
  const results = suites.map((suite) => readJson(`${dir}/${suite}.json`));
  results.forEach((result, index) => {
    if (result.unreadable) lines.push(`| ${suites[index]} | - | ${result.unreadable} |`);
    else lines.push(`| ${result.suite} | ${result.passed} / ${result.total} | ${result.note ?? ''} |`);
  });
  for (const result of results) {
    if (result.unreadable || result.failures.length === 0) continue;
    lines.push('', `## ${result.suite}: ${result.failures.length} failed`, '');
    for (const failure of result.failures) lines.push(`- ${failure.name}${failure.detail ? ` — ${failure.detail}` : ''}`);
  }
  return lines.join('\n');
}

const modes = { newman, 'scim2-tester': scim2Tester, okta, 'scim-sanity': scimSanity };
if (mode === 'report') console.log(report(file, rest));
else if (modes[mode]) console.log(JSON.stringify(modes[mode](file, ...rest), null, 2));
else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
