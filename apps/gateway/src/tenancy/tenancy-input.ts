import { InvalidValueError } from '#scim/scim-error.js';
import { EXTERNAL_ID_UNIQUENESS_VALUES, UNKNOWN_GROUP_MEMBERS_VALUES, type TenantSettingsValues } from './tenant-settings.js';

/**
 * A tenant id names streams (`<tenant>.user-<id>`, libs/domain/src/stream-names.ts), Kafka keys and CloudEvents
 * sources, so it is kept to lower-case letters, digits and hyphens: never a dot (it would let one tenant's
 * stream names collide with another's), never upper case (ids that differ only by case would confuse people).
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

const MAX_TEXT = 200;
const MAX_EXPIRES_IN_DAYS = 3650;
const MAX_GRACE_SECONDS = 365 * 86_400;

export interface CreateTenantInput {
  readonly id: string;
  readonly displayName: string | null;
}

export interface CreateTokenInput {
  readonly label: string;
  /** null: the token does not expire. */
  readonly expiresAt: Date | null;
}

export interface RotateTokenInput {
  /** How long the old token keeps working. */
  readonly gracePeriodSeconds: number;
  /** The new token's label; null: the old token's. */
  readonly label: string | null;
  readonly expiresAt: Date | null;
}

export function assertTenantId(id: unknown): string {
  if (typeof id !== 'string' || !TENANT_ID_PATTERN.test(id)) {
    throw new InvalidValueError(
      `tenant id ${JSON.stringify(id)} is not valid: 1 to 63 characters of a-z, 0-9 and "-", starting with a letter or digit (pattern ${TENANT_ID_PATTERN.source})`,
    );
  }
  return id;
}

/** POST /admin/v1/tenants: `{ "id": "contoso", "displayName": "Contoso Ltd" }`. */
export function parseCreateTenant(body: unknown): CreateTenantInput {
  const fields = objectBody(body, ['id', 'displayName']);
  if (fields.id === undefined) throw new InvalidValueError('"id" is required: the new tenant\'s id, e.g. {"id": "contoso"}');
  return { id: assertTenantId(fields.id), displayName: optionalText(fields.displayName, 'displayName') };
}

/** POST /admin/v1/tenants/{tenant}/tokens: `{ "label"?, "expiresAt"? | "expiresInDays"? }`. */
export function parseCreateToken(body: unknown, now: Date): CreateTokenInput {
  const fields = objectBody(body, ['label', 'expiresAt', 'expiresInDays']);
  return { label: optionalText(fields.label, 'label') ?? '', expiresAt: parseExpiry(fields, now) };
}

/** POST /admin/v1/admin-tokens: `{ "label"? }`. */
export function parseCreateAdminToken(body: unknown): { label: string } {
  const fields = objectBody(body, ['label']);
  return { label: optionalText(fields.label, 'label') ?? '' };
}

/** POST /admin/v1/tenants/{tenant}/tokens/{tokenId}/rotate: `{ "gracePeriodSeconds"?, "label"?, "expiresAt"? | "expiresInDays"? }`. */
export function parseRotateToken(body: unknown, now: Date, defaultGraceSeconds: number): RotateTokenInput {
  const fields = objectBody(body, ['gracePeriodSeconds', 'label', 'expiresAt', 'expiresInDays']);
  const grace = fields.gracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS)) {
    throw new InvalidValueError(`"gracePeriodSeconds" must be an integer from 0 to ${MAX_GRACE_SECONDS}`);
  }
  return {
    gracePeriodSeconds: grace ?? defaultGraceSeconds,
    label: optionalText(fields.label, 'label'),
    expiresAt: parseExpiry(fields, now),
  };
}

/** The settings a PATCH changes; those left out stay as they are. */
export type TenantSettingsChange = Partial<TenantSettingsValues>;

/** PATCH /admin/v1/tenants/{tenant}/settings: `{ "externalIdUniqueness"?: "none" | "server", "unknownGroupMembers"?: "skip" | "reject" }`. */
export function parseTenantSettingsChange(body: unknown): TenantSettingsChange {
  const fields = objectBody(body, ['externalIdUniqueness', 'unknownGroupMembers']);
  return {
    ...(fields.externalIdUniqueness !== undefined ? { externalIdUniqueness: oneOf(fields.externalIdUniqueness, 'externalIdUniqueness', EXTERNAL_ID_UNIQUENESS_VALUES) } : {}),
    ...(fields.unknownGroupMembers !== undefined ? { unknownGroupMembers: oneOf(fields.unknownGroupMembers, 'unknownGroupMembers', UNKNOWN_GROUP_MEMBERS_VALUES) } : {}),
  };
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InvalidValueError(`"${name}" must be one of ${allowed.map((v) => `"${v}"`).join(', ')}; got ${JSON.stringify(value)}`);
  return value as T;
}

function parseExpiry(fields: Record<string, unknown>, now: Date): Date | null {
  const { expiresAt, expiresInDays } = fields;
  if (expiresAt !== undefined && expiresInDays !== undefined) throw new InvalidValueError('give "expiresAt" or "expiresInDays", not both');
  if (expiresInDays !== undefined) {
    if (typeof expiresInDays !== 'number' || !Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_EXPIRES_IN_DAYS) {
      throw new InvalidValueError(`"expiresInDays" must be an integer from 1 to ${MAX_EXPIRES_IN_DAYS}`);
    }
    return new Date(now.getTime() + expiresInDays * 86_400_000);
  }
  if (expiresAt === undefined || expiresAt === null) return null;
  // An ISO 8601 date-time with its offset: a bare date or local time would depend on the server's time zone.
  if (typeof expiresAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(expiresAt)) {
    throw new InvalidValueError('"expiresAt" must be an ISO 8601 date-time with a time zone, e.g. "2030-01-31T00:00:00Z"');
  }
  const at = new Date(expiresAt);
  // Date rolls 2031-02-30 over to March 2nd instead of refusing it.
  const [year, month, day] = expiresAt.slice(0, 10).split('-').map(Number);
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  if (Number.isNaN(at.getTime()) || calendarDay.getUTCMonth() !== month - 1 || calendarDay.getUTCDate() !== day) {
    throw new InvalidValueError(`"expiresAt" ${JSON.stringify(expiresAt)} is not a valid date-time`);
  }
  if (at.getTime() <= now.getTime()) throw new InvalidValueError(`"expiresAt" ${expiresAt} is not in the future`);
  return at;
}

/** A JSON object with only the known fields (a misspelt field is refused, not silently ignored); no body = {}. */
function objectBody(body: unknown, known: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidValueError('the request body must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new InvalidValueError(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${known.join(', ')}`);
  }
  return body as Record<string, unknown>;
}

function optionalText(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidValueError(`"${name}" must be a string of at most ${MAX_TEXT} characters without control characters`);
  }
  return value.trim() === '' ? null : value.trim();
}
