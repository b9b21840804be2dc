import type { AdminClient } from '../admin-client.js';
import { flagText, UsageError, type AdminCommand, type CommandOutput, type ParsedArguments } from '../admin-command.js';

/** One entry as GET /admin/v1/tenants/:tenantId/provisioning-log answers it (docs/provisioning-log.md). */
interface ProvisioningLogEntry {
  id: string;
  at: string;
  tenantId: string | null;
  tokenId: string | null;
  requestId: string | null;
  method: string;
  path: string;
  query: string | null;
  resourceType: string | null;
  resourceId: string | null;
  status: number;
  durationMs: number;
  scimType: string | null;
  detail: string | null;
  eventIds: string[];
  dryRun: boolean;
  skippedMemberIds: string[];
  skippedMemberCount: number;
}

interface ProvisioningLogPage {
  entries: ProvisioningLogEntry[];
  nextCursor: string | null;
}

/** The API's page size limit; larger --limit values are fetched page by page. */
const API_PAGE = 1000;
const RELATIVE = /^(\d+)([smhd])$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** --since 2h / 30m / 7d (relative to now) or an ISO time, passed on as ISO. */
function timeFlag(args: ParsedArguments, name: string, now: Date): string | undefined {
  const value = flagText(args, name);
  if (value === undefined) return undefined;
  const relative = RELATIVE.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]]).toISOString();
  return value; // the API checks ISO times and says what is wrong
}

/** A flag that takes no value; parseArguments gives it the next word when one follows. */
function switchFlag(args: ParsedArguments, name: string): boolean {
  const value = args.flags.get(name);
  if (typeof value === 'string') throw new UsageError(`--${name} takes no value (got "${value}"); put it after the other arguments`);
  return value === true;
}

function queryOf(args: ParsedArguments, now: Date): URLSearchParams {
  const query = new URLSearchParams();
  const set = (parameter: string, value: string | undefined) => {
    if (value !== undefined) query.set(parameter, value);
  };
  set('status', flagText(args, 'status'));
  set('resourceType', flagText(args, 'resource-type'));
  set('resourceId', flagText(args, 'resource-id'));
  set('since', timeFlag(args, 'since', now));
  set('until', timeFlag(args, 'until', now));
  const dryRun = args.flags.get('dry-run');
  if (dryRun === true || dryRun === 'true') query.set('dryRun', 'true');
  else if (dryRun === 'false') query.set('dryRun', 'false');
  else if (dryRun !== undefined) throw new UsageError(`--dry-run takes no value (got "${dryRun}"); put it after the other arguments`);
  if (switchFlag(args, 'live')) {
    if (query.has('dryRun')) throw new UsageError('give --dry-run or --live, not both');
    query.set('dryRun', 'false');
  }
  return query;
}

function limitOf(args: ParsedArguments): number {
  const text = flagText(args, 'limit');
  if (text === undefined) return 100;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > 100_000) throw new UsageError(`--limit must be an integer from 1 to 100000, not "${text}"`);
  return limit;
}

/**
 * `2026-03-01T12:00:00.123Z  POST  /scim/v2/Users  201  12.3ms  events e1,e2` (plus scimType and detail when failed,
 * and the group member ids skipped when there were any).
 */
export function formatEntry(entry: ProvisioningLogEntry): string {
  const parts = [
    entry.at,
    entry.method.padEnd(6),
    `${entry.path}${entry.query ? `?${entry.query}` : ''}`,
    String(entry.status),
    `${entry.durationMs}ms`,
  ];
  if (entry.dryRun) parts.push('[dry-run]');
  if (entry.scimType) parts.push(entry.scimType);
  if (entry.detail) parts.push(JSON.stringify(entry.detail));
  if (entry.eventIds.length > 0) parts.push(`events ${entry.eventIds.join(',')}`);
  if (entry.skippedMemberCount > 0) {
    const more = entry.skippedMemberCount - entry.skippedMemberIds.length;
    parts.push(`skipped members ${entry.skippedMemberIds.join(',')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return parts.join('  ');
}

async function list(args: ParsedArguments, client: AdminClient, output: CommandOutput): Promise<void> {
  const unauthenticated = switchFlag(args, 'unauthenticated');
  const tenantId = args.positional[0];
  if (unauthenticated === (tenantId !== undefined)) {
    throw new UsageError(unauthenticated ? 'give a tenant or --unauthenticated, not both' : 'missing tenant id (or --unauthenticated)');
  }
  const base = unauthenticated ? '/provisioning-log/unauthenticated' : `/tenants/${encodeURIComponent(tenantId)}/provisioning-log`;
  const query = queryOf(args, new Date());
  const wanted = limitOf(args);

  const entries: ProvisioningLogEntry[] = [];
  let cursor: string | null = null;
  do {
    const page: URLSearchParams = new URLSearchParams(query);
    page.set('limit', String(Math.min(API_PAGE, wanted - entries.length)));
    if (cursor) page.set('cursor', cursor);
    const answer: ProvisioningLogPage = await client.json<ProvisioningLogPage>('GET', `${base}?${page.toString()}`);
    entries.push(...answer.entries);
    cursor = answer.nextCursor;
  } while (cursor && entries.length < wanted);

  if (args.flags.has('json')) {
    output.out(JSON.stringify({ entries, nextCursor: cursor }, null, 2));
    return;
  }
  if (entries.length === 0) {
    output.out('(no entries)');
    return;
  }
  for (const entry of entries) output.out(formatEntry(entry));
  if (cursor) output.out(`(more entries: raise --limit, or narrow with --until ${entries[entries.length - 1].at})`);
}

export const PROVISIONING_LOG_COMMANDS: readonly AdminCommand[] = [
  {
    name: 'provisioning-log list',
    usage:
      'provisioning-log list <tenantId> | --unauthenticated [--status 404|4xx] [--resource-type User] [--resource-id <id>] ' +
      '[--since ISO|2h] [--until ISO|30m] [--dry-run | --live] [--limit n] [--json]',
    summary: "a tenant's SCIM requests, newest first (or the requests that failed to authenticate)",
    run: list,
  },
];
