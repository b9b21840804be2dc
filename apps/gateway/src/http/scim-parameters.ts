import type { Filter } from '#scim/filter/filter.ast.js';
import { parseFilter } from '#scim/filter/filter.parser.js';
import { parsePagination } from '#scim/messages/pagination.js';
import type { ProjectionOptions } from '#scim/resource/projection.js';
import { InvalidSyntaxError, PreconditionFailedError } from '#scim/scim-error.js';

/** Advertised in /ServiceProviderConfig as filter.maxResults. */
export const PAGE_LIMITS = { defaultCount: 100, maxCount: 1000 } as const;

export interface ListParameters {
  readonly filter: Filter | undefined;
  readonly startIndex: number;
  readonly count: number;
  readonly projection: ProjectionOptions;
}

/** RFC 7644 §3.4.2: filter, startIndex, count, attributes, excludedAttributes (names case-insensitive). */
export function parseListParameters(query: Record<string, unknown>): ListParameters {
  const text = single(query, 'filter');
  const filter = text === undefined || text.trim() === '' ? undefined : parseFilter(text);
  const { startIndex, count } = parsePagination({ startIndex: single(query, 'startIndex'), count: single(query, 'count') }, PAGE_LIMITS);
  return { filter, startIndex, count, projection: parseProjection(query) };
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

function single(query: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const value = query[key];
  if (typeof value !== 'string') throw new InvalidSyntaxError(`query parameter ${name} must be given once, as text`);
  return value;
}
