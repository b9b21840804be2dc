/**
 * The provisioning log's filters as the console's URL holds them (so a filtered view can be bookmarked and shared),
 * the admin API's query made from them, statuses in words, and what a uniqueness conflict names. Pure (no DOM).
 */

/** The filters, under the admin API's own names (docs/provisioning-log.md). */
export const LOG_FILTERS = ['status', 'resourceType', 'resourceId', 'since', 'until', 'dryRun'] as const;
export type LogFilter = (typeof LOG_FILTERS)[number];

/** The status choices offered in the form; any other status is typed. */
export const STATUS_CHOICES: readonly (readonly [value: string, label: string])[] = [
  ['', 'Any status'],
  ['2xx', '2xx success'],
  ['4xx', '4xx client errors'],
  ['5xx', '5xx server errors'],
  ['404', '404 Not Found'],
  ['409', '409 Conflict'],
];

/** The resource types the log records (docs/provisioning-log.md "What an entry holds"). */
export const RESOURCE_TYPE_CHOICES = ['User', 'Group', 'Bulk', 'Search', 'Me', 'ServiceProviderConfig', 'ResourceTypes', 'Schemas'] as const;

/** Entries per page of the console's log view (the API allows up to 1000). */
export const LOG_PAGE_SIZE = 50;

/** The filters present in the console URL's query, in LOG_FILTERS order; empty values left out. */
export function filtersOf(query: URLSearchParams): Partial<Record<LogFilter, string>> {
  const filters: Partial<Record<LogFilter, string>> = {};
  for (const name of LOG_FILTERS) {
    const value = query.get(name);
    if (value !== null && value !== '') filters[name] = value;
  }
  return filters;
}

/** What the log page asks the admin API: the filters, a page size, and the cursor when paging. */
export function apiQueryOf(query: URLSearchParams): Record<string, string | number> {
  const cursor = query.get('cursor');
  return { ...filtersOf(query), limit: LOG_PAGE_SIZE, ...(cursor ? { cursor } : {}) };
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** `409 Conflict (client error)`: the number, its name, its class; never a colour alone. */
export function statusPhrase(status: number): string {
  const kind = status >= 500 ? 'server error' : status >= 400 ? 'client error' : status >= 300 ? 'redirect' : 'success';
  const reason = REASONS[status];
  return `${status}${reason ? ` ${reason}` : ''} (${kind})`;
}

export function statusTone(status: number): 'ok' | 'warn' | 'bad' {
  return status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok';
}

/** The user name or display name a uniqueness 409's detail names (`userName "ann@contoso.com" is already in use…`). */
export function conflictOf(detail: string | null): { readonly attribute: 'userName' | 'displayName' | 'externalId'; readonly value: string } | null {
  const match = /^(userName|displayName|externalId) "(.*)" is already in use by another resource$/.exec(detail ?? '');
  return match ? { attribute: match[1] as 'userName' | 'displayName' | 'externalId', value: match[2]! } : null;
}
