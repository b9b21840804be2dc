import fc from 'fast-check';
import { describeRequest, hostileRequest, judgeAnswer, sendHostile, type HostileAnswer, type HostileRequest, type HostileTargets } from './hostile-requests.js';

export interface FuzzTokens {
  readonly scim: string;
  readonly admin: string;
}

export interface FuzzFinding {
  readonly request: string;
  readonly status: number;
  readonly problems: readonly string[];
  readonly body: string;
}

export interface FuzzReport {
  readonly requests: number;
  /** Answers by status. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly findings: readonly FuzzFinding[];
  /** Error answers after which the tenant's event log had grown: a refused request that stored something. */
  readonly storedOnError: number;
}

const SCIM_JSON = { 'Content-Type': 'application/scim+json' } as const;

/** A tenant of the fuzz's own (a PostgreSQL server keeps other runs' tenants) and a SCIM token for it. */
export async function createFuzzTenant(baseUrl: string, adminToken: string): Promise<{ tenantId: string; scimToken: string }> {
  const tenantId = `fuzz-${Math.random().toString(36).slice(2, 10)}`;
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${adminToken}` };
  const tenant = await fetch(new URL('/admin/v1/tenants', baseUrl), { method: 'POST', headers, body: JSON.stringify({ id: tenantId }) });
  if (tenant.status !== 201) throw new Error(`creating tenant ${tenantId} answered ${tenant.status}: ${await tenant.text()}`);
  const token = await fetch(new URL(`/admin/v1/tenants/${tenantId}/tokens`, baseUrl), { method: 'POST', headers, body: JSON.stringify({ label: 'fuzz' }) });
  const text = await token.text();
  if (token.status !== 201) throw new Error(`creating a token for ${tenantId} answered ${token.status}: ${text}`);
  return { tenantId, scimToken: (JSON.parse(text) as { token: string }).token };
}

/** Users and groups for the hostile requests to aim at (the fuzz tenant's, created through SCIM). */
export async function seedFuzzTargets(baseUrl: string, tokens: FuzzTokens, tenantId: string, counts = { users: 6, groups: 3 }): Promise<HostileTargets> {
  const userIds: string[] = [];
  const groupIds: string[] = [];
  const tag = Math.random().toString(36).slice(2, 8);
  for (let i = 0; i < counts.users; i++) {
    const user = await postJson(baseUrl, tokens.scim, '/scim/v2/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `seed-${tag}-${i}@example.com`,
      externalId: `seed-ext-${tag}-${i}`,
      emails: [{ value: `seed-${tag}-${i}@example.com`, type: 'work', primary: true }],
      active: true,
    });
    userIds.push(user.id as string);
  }
  for (let i = 0; i < counts.groups; i++) {
    const group = await postJson(baseUrl, tokens.scim, '/scim/v2/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: `seed-group-${tag}-${i}`,
      members: userIds.slice(i, i + 2).map((value) => ({ value })),
    });
    groupIds.push(group.id as string);
  }
  return { tenantId, userIds, groupIds };
}

async function postJson(baseUrl: string, token: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(path, baseUrl), { method: 'POST', headers: { ...SCIM_JSON, Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`seeding ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The position of the tenant's last event (from the audit export), or undefined when it has none after `after`. */
async function lastEventPosition(baseUrl: string, tokens: FuzzTokens, tenantId: string, after: string | undefined): Promise<string | undefined> {
  const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
  const response = await fetch(new URL(`/admin/v1/tenants/${encodeURIComponent(tenantId)}/export${query}`, baseUrl), { headers: { Authorization: `Bearer ${tokens.admin}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`export answered ${response.status}: ${text}`);
  const lines = text.split('\n').filter((line) => line.length > 0);
  if (lines.length === 0) return undefined;
  return (JSON.parse(lines[lines.length - 1]) as { position: string }).position;
}

/**
 * Sends `count` hostile requests drawn with `seed`, one at a time, and judges each answer (judgeAnswer). After
 * every error answer it also checks that the tenant's event log did not grow (the export after the last known
 * position is empty): a refused request stores nothing. Successful writes move the known position on.
 */
export async function runHostileFuzz(options: {
  readonly baseUrl: string;
  readonly tokens: FuzzTokens;
  readonly targets: HostileTargets;
  readonly count: number;
  readonly seed: number;
  readonly onProgress?: (sent: number) => void;
}): Promise<FuzzReport> {
  const { baseUrl, tokens, targets } = options;
  const requests: HostileRequest[] = fc.sample(hostileRequest(targets), { numRuns: options.count, seed: options.seed });
  const statuses = new Map<number, number>();
  const findings: FuzzFinding[] = [];
  let storedOnError = 0;
  let position = await lastEventPosition(baseUrl, tokens, targets.tenantId, undefined);
  for (const [index, request] of requests.entries()) {
    let answer: HostileAnswer;
    try {
      answer = await sendHostile(baseUrl, tokens, request);
    } catch (error) {
      answer = { status: 0, contentType: '', text: String(error) };
    }
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const problems = answer.status === 0 ? [`no answer: ${answer.text}`] : judgeAnswer(answer);
    const newer = await lastEventPosition(baseUrl, tokens, targets.tenantId, position);
    if (newer !== undefined) {
      if (answer.status >= 400 || answer.status === 0) {
        storedOnError++;
        problems.push(`answered ${answer.status} but the event log grew`);
      }
      position = newer;
    }
    if (problems.length > 0) findings.push({ request: describeRequest(request), status: answer.status, problems, body: answer.text.slice(0, 300) });
    options.onProgress?.(index + 1);
  }
  return { requests: requests.length, statuses, findings, storedOnError };
}
