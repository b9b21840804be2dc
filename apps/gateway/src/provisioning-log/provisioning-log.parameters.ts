import { InvalidValueError, type ScimError } from '#scim/scim-error.js';
import { RESOURCE_TYPES, resourceTypeNamed } from './provisioning-log.entry.js';
import type { ProvisioningLogFilter, ProvisioningLogPosition } from './provisioning-log.store.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface ProvisioningLogQuery {
  readonly filter: Omit<ProvisioningLogFilter, 'tenantId'>;
  readonly limit: number;
  readonly after: ProvisioningLogPosition | undefined;
}

const PARAMETERS = ['status', 'resourceType', 'resourceId', 'since', 'until', 'dryRun', 'limit', 'cursor'] as const;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The admin API's query string (docs/provisioning-log.md), checked; every mistake is a 400 that names it. */
export function parseProvisioningLogQuery(query: Readonly<Record<string, unknown>>): ProvisioningLogQuery {
  for (const name of Object.keys(query)) {
    if (!(PARAMETERS as readonly string[]).includes(name)) {
      throw badRequest(`unknown parameter "${name}"; the parameters are ${PARAMETERS.join(', ')}`);
    }
  }
  const text = (name: (typeof PARAMETERS)[number]): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw badRequest(`"${name}" may be given once`);
    return value;
  };

  const filter: { -readonly [K in keyof ProvisioningLogQuery['filter']]: ProvisioningLogQuery['filter'][K] } = {};
  const status = text('status');
  if (status !== undefined) filter.status = parseStatus(status);
  const resourceType = text('resourceType');
  if (resourceType !== undefined) {
    const type = resourceTypeNamed(resourceType);
    if (!type) throw badRequest(`resourceType="${resourceType}" is not one of ${RESOURCE_TYPES.join(', ')}`);
    filter.resourceType = type;
  }
  const resourceId = text('resourceId');
  if (resourceId !== undefined) {
    if (resourceId === '' || resourceId.length > 256) throw badRequest('resourceId must be 1 to 256 characters');
    filter.resourceId = resourceId;
  }
  const since = text('since');
  if (since !== undefined) filter.since = parseTime('since', since);
  const until = text('until');
  if (until !== undefined) filter.until = parseTime('until', until);
  if (filter.since && filter.until && filter.since.getTime() >= filter.until.getTime()) {
    throw badRequest(`since (${filter.since.toISOString()}) must be before until (${filter.until.toISOString()})`);
  }
  const dryRun = text('dryRun');
  if (dryRun !== undefined) {
    if (dryRun !== 'true' && dryRun !== 'false') throw badRequest(`dryRun="${dryRun}" must be true or false`);
    filter.dryRun = dryRun === 'true';
  }

  const limitText = text('limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit="${limitText}" must be an integer from 1 to ${MAX_LIMIT}`);
  }
  const cursor = text('cursor');
  return { filter, limit, after: cursor === undefined ? undefined : decodeCursor(cursor) };
}

/** "404" is that status; "4xx" the class. */
function parseStatus(status: string): { from: number; to: number } {
  if (/^[1-5]\d\d$/.test(status)) return { from: Number(status), to: Number(status) };
  const statusClass = /^([1-5])xx$/i.exec(status);
  if (statusClass) return { from: Number(statusClass[1]) * 100, to: Number(statusClass[1]) * 100 + 99 };
  throw badRequest(`status="${status}" must be an HTTP status (404) or a class (4xx, 5xx)`);
}

function parseTime(name: string, value: string): Date {
  const time = Date.parse(value);
  if (!ISO_TIME.test(value) || Number.isNaN(time)) {
    throw badRequest(`${name}="${value}" must be an ISO 8601 time, e.g. 2026-01-31T09:00:00Z`);
  }
  return new Date(time);
}

/** The largest id a bigint column holds. */
const MAX_ENTRY_ID = 9223372036854775807n;

/** An entry's id as the API returns it (a positive integer, as a string); anything else is a 400 that says so. */
export function parseEntryId(id: string): string {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_ENTRY_ID) {
    throw badRequest(`entry id "${id.slice(0, 40)}" is not an id of the provisioning log (a whole number, as the "id" of an entry)`);
  }
  return BigInt(id).toString();
}

/** Opaque to clients: where the previous page ended. */
export function encodeCursor(position: ProvisioningLogPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): ProvisioningLogPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      ISO_TIME.test(decoded[0]) &&
      !Number.isNaN(Date.parse(decoded[0])) &&
      typeof decoded[1] === 'string' &&
      /^\d{1,19}$/.test(decoded[1])
    ) {
      return { at: decoded[0], id: decoded[1] };
    }
  } catch {
    // falls through to the 400
  }
  throw badRequest('cursor is not one this API returned (pass nextCursor from the previous page unchanged)');
}

/** 400 invalidValue, as the rest of the admin API answers a bad parameter (docs/admin.md "Errors"). */
function badRequest(detail: string): ScimError {
  return new InvalidValueError(detail);
}
