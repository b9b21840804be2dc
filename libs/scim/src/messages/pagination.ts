import { InvalidValueError } from '../scim-error.js';

export interface PaginationLimits {
  /** `count` when the client gives none. */
  readonly defaultCount: number;
  /** The most resources one page may hold; a larger `count` is lowered to it (RFC 7644 §3.4.2.4). */
  readonly maxCount: number;
}

export interface Pagination {
  /** 1-based. */
  readonly startIndex: number;
  readonly count: number;
}

/**
 * RFC 7644 §3.4.2.4: `startIndex` below 1 is read as 1; a negative `count` as 0; a `count` above the
 * provider's maximum as the maximum. Values may be numbers (a SearchRequest) or strings (a query string);
 * anything that is not an integer is invalidValue.
 */
export function parsePagination(request: { readonly startIndex?: unknown; readonly count?: unknown }, limits: PaginationLimits): Pagination {
  const startIndex = integerOrUndefined(request.startIndex, 'startIndex') ?? 1;
  const count = integerOrUndefined(request.count, 'count') ?? limits.defaultCount;
  return { startIndex: Math.max(1, startIndex), count: Math.min(Math.max(0, count), limits.maxCount) };
}

function integerOrUndefined(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw new InvalidValueError(`${name} must be an integer, got ${JSON.stringify(value)}`);
  return number;
}
