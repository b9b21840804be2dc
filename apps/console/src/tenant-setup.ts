/**
 * Pure helpers of the tenant set-up and settings pages (unit-tested without a browser): Entra's connection test,
 * token statuses and durations in words, and the JSON a person types for an extension schema.
 */

/** Where SCIM lives, relative to this origin: the console tests the real endpoint, never a copy of it. */
export const SCIM_PATH = '/scim/v2';

/** A userName no directory has: Entra's own test filters on a random one and expects no result. */
export function connectionTestUserName(random: string): string {
  return `console-connection-test-${random}@example.invalid`;
}

/** `userName eq "<value>"`, the value quoted as the SCIM filter grammar wants it (RFC 7644 §3.4.2.2, JSON string). */
export function userNameFilter(userName: string): string {
  return `userName eq ${JSON.stringify(userName)}`;
}

/** `/scim/v2/Users?filter=userName%20eq%20%22...%22`: the request Entra's "Test Connection" sends (spaces as %20). */
export function connectionTestPath(userName: string): string {
  return `${SCIM_PATH}/Users?filter=${encodeURIComponent(userNameFilter(userName))}`;
}

export interface ConnectionTestOutcome {
  readonly passed: boolean;
  /** One sentence: what happened, in words. */
  readonly summary: string;
  readonly status: number;
  readonly scimType?: string;
  readonly detail?: string;
}

/**
 * Judges the answer to the test request as Entra does: a pass is 200 with a ListResponse of no resources;
 * anything else fails, with the SCIM error's status, scimType and detail when the gateway sent one.
 */
export function judgeConnectionTest(status: number, body: unknown): ConnectionTestOutcome {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const scimType = typeof record['scimType'] === 'string' ? record['scimType'] : undefined;
  const detail = typeof record['detail'] === 'string' ? record['detail'] : typeof body === 'string' && body !== '' ? body.slice(0, 500) : undefined;
  if (status === 200) {
    const total = record['totalResults'];
    if (total === 0) return { passed: true, status, summary: 'Passed: the gateway accepted the token and answered 200 with no user, as Entra expects.' };
    return {
      passed: false,
      status,
      summary:
        typeof total === 'number'
          ? `Failed: the gateway answered 200 but found ${total} user(s) for a userName nobody has.`
          : 'Failed: the gateway answered 200 without a SCIM ListResponse (no totalResults).',
    };
  }
  const why =
    status === 401
      ? 'the token was refused (wrong, revoked or expired token, or the tenant is disabled)'
      : status === 403
        ? 'the request was forbidden'
        : status === 429
          ? 'too many requests for this token (rate limit)'
          : status >= 500
            ? 'the gateway had a server error'
            : 'the gateway refused the request';
  return { passed: false, status, scimType, detail, summary: `Failed: ${status}, ${why}.` };
}

/** `1 day`, `2 hours`, `90 minutes` is `1 hour 30 minutes`, `0 seconds`: durations as people say them. */
export function durationWords(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds === 0) return '0 seconds';
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export type ScimTokenStatus = 'active' | 'rotated' | 'expired' | 'revoked';

/** A SCIM token's status in words (the table never relies on the badge colour). */
export function tokenStatusWords(status: ScimTokenStatus, expiresAt: string | null): string {
  switch (status) {
    case 'active':
      return 'active';
    case 'rotated':
      return expiresAt ? 'rotated: still works until its grace period ends' : 'rotated';
    case 'expired':
      return 'expired: refused';
    case 'revoked':
      return 'revoked: refused';
  }
}

/** A whole number of days from an optional form field: undefined when empty, an error message when not 1-3650. */
export function optionalDays(text: string): { ok: true; days: number | undefined } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, days: undefined };
  if (!/^\d{1,4}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 3650) {
    return { ok: false, message: `“${trimmed.slice(0, 40)}” is not a number of days from 1 to 3650; leave it empty for a token that does not expire.` };
  }
  return { ok: true, days: Number(trimmed) };
}

/**
 * The JSON a person typed for a schema, parsed before anything is sent: an object, or a message saying what is
 * wrong (the gateway then validates the definition itself and its messages are shown as it words them).
 */
export function parseJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'The schema definition is empty: paste or type the JSON object the admin API takes.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `This is not valid JSON, nothing was sent: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `The definition must be one JSON object ({"resourceType": ..., "schema": {...}}), not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}; nothing was sent.` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** The body `PUT /admin/v1/tenants/{id}/schemas` takes for a schema as listed, to edit and send back. */
export function registrationOf(schema: { resourceType: string; required: boolean; schema: unknown }): string {
  return JSON.stringify({ resourceType: schema.resourceType, required: schema.required, schema: schema.schema }, null, 2);
}

/** An example definition (docs/admin.md "Tenant schemas"), offered in the form. */
export const EXAMPLE_SCHEMA = registrationOf({
  resourceType: 'User',
  required: false,
  schema: {
    id: 'urn:example:params:scim:schemas:extension:badge:2.0:User',
    name: 'Badge',
    attributes: [
      { name: 'badgeNumber', type: 'string', caseExact: true },
      { name: 'floor', type: 'integer' },
    ],
  },
});
