import type { Filter } from '#scim/filter/filter.ast.js';
import { parseFilter } from '#scim/filter/filter.parser.js';
import { validateMessage } from '#scim/messages/message.validator.js';
import { parsePagination } from '#scim/messages/pagination.js';
import { SearchRequest } from '#scim/messages/search-request.dto.js';
import type { ProjectionOptions } from '#scim/resource/projection.js';
import { InvalidSyntaxError, InvalidValueError, PreconditionFailedError } from '#scim/scim-error.js';
import type { SortRequest } from '#read-model/filter/sort-sql.compiler.js';

/** Advertised in /ServiceProviderConfig as filter.maxResults. */
export const PAGE_LIMITS = { defaultCount: 100, maxCount: 1000 } as const;

export interface ListParameters {
  readonly filter: Filter | undefined;
  readonly sort: SortRequest | undefined;
  readonly startIndex: number;
  readonly count: number;
  readonly projection: ProjectionOptions;
}

/** RFC 7644 §3.4.2: the query-string form (parameter names case-insensitive). */
export function parseListParameters(query: Record<string, unknown>): ListParameters {
  return listParameters({
    filter: single(query, 'filter'),
    sortBy: single(query, 'sortBy'),
    sortOrder: single(query, 'sortOrder'),
    startIndex: single(query, 'startIndex'),
    count: single(query, 'count'),
    attributes: single(query, 'attributes'),
    excludedAttributes: single(query, 'excludedAttributes'),
  });
}

/** RFC 7644 §3.4.3: the same parameters in a SearchRequest body (`POST .../.search`). */
export function parseSearchRequest(body: unknown): ListParameters {
  const request = validateMessage(SearchRequest, body);
  return listParameters(request);
}

function listParameters(request: {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: unknown;
  count?: unknown;
  attributes?: string | readonly string[];
  excludedAttributes?: string | readonly string[];
}): ListParameters {
  const filter = request.filter === undefined || request.filter.trim() === '' ? undefined : parseFilter(request.filter);
  const { startIndex, count } = parsePagination({ startIndex: request.startIndex, count: request.count }, PAGE_LIMITS);
  return { filter, sort: sortOf(request.sortBy, request.sortOrder), startIndex, count, projection: { attributes: request.attributes, excludedAttributes: request.excludedAttributes } };
}

/** RFC 7644 §3.4.2.3: sortOrder without sortBy is ignored; values are case-insensitive here, as Entra-era clients vary. */
function sortOf(sortBy: string | undefined, sortOrder: string | undefined): SortRequest | undefined {
  if (sortBy === undefined || sortBy.trim() === '') return undefined;
  const order = sortOrder?.trim().toLowerCase();
  if (order !== undefined && order !== '' && order !== 'ascending' && order !== 'descending') {
    throw new InvalidValueError(`sortOrder="${sortOrder}" must be "ascending" or "descending"`);
  }
  return { sortBy: sortBy.trim(), sortOrder: order === 'descending' ? 'descending' : 'ascending' };
}

/** RFC 7644 §3.9: `attributes` / `excludedAttributes` on any request that returns a resource. */
export function parseProjection(query: Record<string, unknown>): ProjectionOptions {
  return { attributes: single(query, 'attributes'), excludedAttributes: single(query, 'excludedAttributes') };
}

/** `If-Match: W/"3"` → 3n (RFC 7644 §3.14); `*` or absent → no requirement. */
export function parseIfMatch(header: string | undefined): bigint | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(header);
  if (!match) throw new PreconditionFailedError(`If-Match "${header}" is not a version this server issued (expected W/"<n>")`);
  return BigInt(match[1]);
}

/** RFC 7644 §3.14 / RFC 7232 §3.2: If-None-Match on GET; true when the client's copy is current (answer 304). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag.replace(/^W\//, '');
  });
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const value = query[key];
  if (typeof value !== 'string') throw new InvalidSyntaxError(`query parameter ${name} must be given once, as text`);
  return value;
}
