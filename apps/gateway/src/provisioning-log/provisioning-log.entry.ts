/** One SCIM request as the provisioning log keeps it (docs/provisioning-log.md). No header values, no bodies. */
export interface ProvisioningLogEntry {
  /** When the request arrived. */
  readonly at: Date;
  /** null: the request never authenticated (a 401, or refused before the bearer guard with a token that resolves to no tenant). */
  readonly tenantId: string | null;
  readonly tokenId: string | null;
  readonly requestId: string | null;
  readonly method: string;
  /** The URL path as sent (percent-encoded), without the query string. */
  readonly path: string;
  /** The query string without its "?", or null. */
  readonly query: string | null;
  readonly resourceType: ResourceType | null;
  readonly resourceId: string | null;
  /** The HTTP status sent; 499 when the client went away before the response was complete. */
  readonly status: number;
  readonly durationMs: number;
  readonly scimType: string | null;
  readonly detail: string | null;
  /** The events the request appended (or, in a dry run, would have appended), in order. */
  readonly eventIds: readonly string[];
  readonly dryRun: boolean;
  /**
   * Group member ids the request offered that name no user or group of the tenant, left out under the tenant's
   * `skip` policy: the first 100 (each cut to 256 characters), in request order; skippedMemberCount counts them all.
   */
  readonly skippedMemberIds: readonly string[];
  readonly skippedMemberCount: number;
}

/** A stored entry, as the admin API returns it. */
export interface StoredProvisioningLogEntry extends Omit<ProvisioningLogEntry, 'at'> {
  readonly id: string;
  readonly at: string;
}

/** What the path addresses; the SCIM endpoint names of RFC 7644 §3.2, singular for resource types. */
export const RESOURCE_TYPES = ['User', 'Group', 'Bulk', 'Search', 'Me', 'ServiceProviderConfig', 'ResourceTypes', 'Schemas'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

const ENDPOINTS: Readonly<Record<string, ResourceType>> = {
  users: 'User',
  groups: 'Group',
  bulk: 'Bulk',
  '.search': 'Search',
  me: 'Me',
  serviceproviderconfig: 'ServiceProviderConfig',
  resourcetypes: 'ResourceTypes',
  schemas: 'Schemas',
};

/** The admin API accepts "User", "users", "Users" alike; null when it names no endpoint. */
export function resourceTypeNamed(name: string): ResourceType | null {
  const lower = name.toLowerCase();
  return ENDPOINTS[lower] ?? ENDPOINTS[`${lower}s`] ?? RESOURCE_TYPES.find((type) => type.toLowerCase() === lower) ?? null;
}

const SCIM_PREFIX = /^\/scim\/v2(?:\/dry-run)?(?=\/|$)/i;
const DRY_RUN_PREFIX = /^\/scim\/v2\/dry-run(?=\/|$)/i;

/** Is this URL path one the provisioning log records? */
export function isScimPath(path: string): boolean {
  return /^\/scim\/v2(?:\/|$)/i.test(path);
}

export function isDryRunPath(path: string): boolean {
  return DRY_RUN_PREFIX.test(path);
}

/**
 * `/scim/v2[/dry-run]/Users/<id>[/...]` → User and its id; `/scim/v2/Users/.search` has no id. For a 201 the id
 * comes from the Location header instead (the path has none yet).
 */
export function resourceOf(path: string, location?: string): { resourceType: ResourceType | null; resourceId: string | null } {
  const segments = path.replace(SCIM_PREFIX, '').split('/').filter(Boolean);
  const resourceType = segments.length > 0 ? (ENDPOINTS[segments[0].toLowerCase()] ?? null) : null;
  let resourceId = (resourceType === 'User' || resourceType === 'Group') && segments[1] && segments[1] !== '.search' ? decoded(segments[1]) : null;
  if (resourceId === null && location && (resourceType === 'User' || resourceType === 'Group')) {
    const last = location.split(/[?#]/, 1)[0].split('/').filter(Boolean).pop();
    resourceId = last ? decoded(last) : null;
  }
  return { resourceType, resourceId: resourceId === null ? null : clip(resourceId, 256) };
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** PostgreSQL text cannot hold NUL; long values are cut (an error detail may quote the client's input). */
export function clip(value: string, maxLength: number): string {
  const clean = value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  return clean.length <= maxLength ? clean : `${clean.slice(0, maxLength - 1)}…`;
}
