import type { AdminClient } from '../admin-client.js';
import { CommandFailed, flagText, requiredPositional, UsageError, type AdminCommand, type CommandOutput, type ParsedArguments } from '../admin-command.js';

/** One event as GET /admin/v1/tenants/:tenantId/history/:resourceType/:id answers it (apps/gateway/src/audit). */
interface AuditEntry {
  revision: string;
  position: string;
  eventId: string;
  type: string;
  schemaVersion: number;
  recordedAt: string;
  occurredAt: string;
  tokenId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  correlationId: string | null;
  data: unknown;
  hash: string | null;
  previousHash: string | null;
}

interface History {
  tenantId: string;
  resourceType: string;
  id: string;
  events: AuditEntry[];
}

interface ChainProblem {
  streamName: string;
  revision: string;
  eventId: string;
  kind: string;
  detail: string;
}

interface ChainVerification {
  tenantId: string;
  eventsChecked: number;
  streamsChecked: number;
  ok: boolean;
  problems: ChainProblem[];
  problemCount: number;
  problemCounts: Record<string, number>;
  lastPosition: string | null;
}

/** How much of an event's change the history table shows; --json has all of it. */
const CHANGE_WIDTH = 100;

/** Attributes shown first in a created resource's summary. */
const IDENTIFYING = ['userName', 'displayName', 'externalId'];

const segment = (text: string) => `/${encodeURIComponent(text)}`;

/** `User`/`Users`/`user` → the API's `Users`; same for groups. */
function resourceTypeArgument(args: ParsedArguments, index: number): 'Users' | 'Groups' {
  const text = requiredPositional(args, index, '<User|Group>');
  switch (text.toLowerCase()) {
    case 'user':
    case 'users':
      return 'Users';
    case 'group':
    case 'groups':
      return 'Groups';
    default:
      throw new UsageError(`"${text}" is not a resource type: give User or Group`);
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/**
 * What an event changed, on one line: for updates the attribute-level changes (`path: before → after`), for the
 * other events their data (compact JSON) without the resource id and time the other columns already show.
 */
export function describeChange(data: unknown): string {
  if (data === null || typeof data !== 'object') return JSON.stringify(data) ?? '';
  const { changes, userId: _userId, groupId: _groupId, at: _at, attributes, ...rest } = data as Record<string, unknown>;
  if (Array.isArray(changes)) {
    const described = changes.map((change: { path?: unknown; before?: unknown; after?: unknown }) => {
      const path = Array.isArray(change.path) ? change.path.join('.') : String(change.path);
      return `${path}: ${JSON.stringify(change.before) ?? '(none)'} → ${JSON.stringify(change.after) ?? '(none)'}`;
    });
    return described.length === 0 ? '(no attribute changed)' : described.join('; ');
  }
  if (attributes === null || typeof attributes !== 'object') return JSON.stringify(rest);
  // `schemas` is on every resource and says nothing about this one; the names that identify it come first (the
  // store may have reordered the keys), so they survive the truncation.
  const { schemas: _schemas, ...shown } = attributes as Record<string, unknown>;
  const first = Object.fromEntries(IDENTIFYING.filter((key) => key in shown).map((key) => [key, shown[key]]));
  return JSON.stringify({ ...rest, ...first, ...shown });
}

function historyTable(history: History): string {
  return table([
    ['REV', 'RECORDED AT', 'TYPE', 'TOKEN', 'SOURCE IP', 'CHANGE'],
    ...history.events.map((event) => [
      event.revision,
      event.recordedAt,
      event.type,
      event.tokenId ?? '-',
      event.sourceIp ?? '-',
      truncate(describeChange(event.data), CHANGE_WIDTH),
    ]),
  ]);
}

function verificationSummary(result: ChainVerification): string {
  const lines = [
    `tenant ${result.tenantId}: ${result.eventsChecked} events in ${result.streamsChecked} streams checked` +
      (result.lastPosition ? `, up to position ${result.lastPosition}` : ''),
  ];
  if (result.ok) {
    lines.push('OK: every hash chain checks out');
    return lines.join('\n');
  }
  const counts = Object.entries(result.problemCounts)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  lines.push(`FAILED: ${result.problemCount} problem${result.problemCount === 1 ? '' : 's'} (${counts})`, '');
  lines.push(
    table([
      ['STREAM', 'REV', 'EVENT', 'PROBLEM', 'DETAIL'],
      ...result.problems.map((problem) => [problem.streamName, problem.revision, problem.eventId, problem.kind, problem.detail]),
    ]),
  );
  if (result.problems.length < result.problemCount) lines.push(`(the first ${result.problems.length} of ${result.problemCount} problems are listed)`);
  return lines.join('\n');
}

async function history(args: ParsedArguments, client: AdminClient, output: CommandOutput): Promise<void> {
  const tenantId = requiredPositional(args, 0, '<tenantId>');
  const type = resourceTypeArgument(args, 1);
  const id = requiredPositional(args, 2, '<id>');
  const answer = await client.json<History>('GET', `${segment('tenants')}${segment(tenantId)}/history/${type}${segment(id)}`);
  if (args.flags.has('json')) {
    output.out(JSON.stringify(answer, null, 2));
    return;
  }
  output.out(`${answer.resourceType} ${answer.id} in tenant ${answer.tenantId}: ${answer.events.length} event${answer.events.length === 1 ? '' : 's'}\n`);
  output.out(historyTable(answer));
}

async function asOf(args: ParsedArguments, client: AdminClient, output: CommandOutput): Promise<void> {
  const tenantId = requiredPositional(args, 0, '<tenantId>');
  const type = resourceTypeArgument(args, 1);
  const id = requiredPositional(args, 2, '<id>');
  const time = requiredPositional(args, 3, '<ISO time>');
  const query = new URLSearchParams({ asOf: time });
  const resource = await client.json('GET', `${segment('tenants')}${segment(tenantId)}/resources/${type}${segment(id)}?${query.toString()}`);
  output.out(JSON.stringify(resource, null, 2));
}

async function exportHistory(args: ParsedArguments, client: AdminClient, output: CommandOutput): Promise<void> {
  const tenantId = requiredPositional(args, 0, '<tenantId>');
  const after = flagText(args, 'after');
  const query = after === undefined ? '' : `?${new URLSearchParams({ after }).toString()}`;
  // Chunk by chunk, each written before the next is read: constant memory whatever the history's length.
  await client.stream(`${segment('tenants')}${segment(tenantId)}/export${query}`, (chunk) => output.write(chunk));
}

async function verify(args: ParsedArguments, client: AdminClient, output: CommandOutput): Promise<void> {
  const tenantId = requiredPositional(args, 0, '<tenantId>');
  const result = await client.json<ChainVerification>('POST', `${segment('tenants')}${segment(tenantId)}/verify`);
  if (args.flags.has('json')) {
    output.out(JSON.stringify(result, null, 2));
    if (!result.ok) throw new CommandFailed('');
    return;
  }
  output.out(verificationSummary(result));
  if (!result.ok) throw new CommandFailed(`verification failed: the history of tenant ${result.tenantId} does not check out (problems above; see docs/audit.md)`);
}

export const AUDIT_COMMANDS: readonly AdminCommand[] = [
  {
    name: 'audit history',
    usage: 'audit history <tenantId> <User|Group> <id> [--json]',
    summary: "a resource's events: when, type, token, source IP, what changed",
    run: history,
  },
  {
    name: 'audit as-of',
    usage: 'audit as-of <tenantId> <User|Group> <id> <ISO time, e.g. 2025-01-31T12:00:00Z>',
    summary: 'the resource (SCIM JSON) as it was at that time',
    run: asOf,
  },
  {
    name: 'audit export',
    usage: 'audit export <tenantId> [--after <position>]',
    summary: "the tenant's history as JSON lines on stdout (npm run -s admin -- audit export t > t.jsonl)",
    run: exportHistory,
  },
  {
    name: 'audit verify',
    usage: 'audit verify <tenantId> [--json]',
    summary: "check the tenant's hash chains; exit code 1 when tampered",
    run: verify,
  },
];
