import type { Filter } from '#scim/filter/filter.ast.js';
import { parseFilter } from '#scim/filter/filter.parser.js';
import { validateMessage } from '#scim/messages/message.validator.js';
import { parsePagination } from '#scim/messages/pagination.js';
import type { RequestLimits } from '#scim/messages/request-limits.js';
import { SearchRequest } from '#scim/messages/search-request.dto.js';
import type { AttributeSelection } from '#scim/resource/attribute-selection.js';
import { InvalidSyntaxError, InvalidValueError } from '#scim/scim-error.js';
import type { SortRequest } from '#read-model/filter/sort-sql.compiler.js';

/** Advertised in /ServiceProviderConfig as filter.maxResults. */
export const PAGE_LIMITS = { defaultCount: 100, maxCount: 1000 } as const;

export interface ListParameters {
  readonly filter: Filter | undefined;
  readonly sort: SortRequest | undefined;
  readonly startIndex: number;
  readonly count: number;
  readonly selection: AttributeSelection;
}

/** The limits a query is held to (docs/operations.md "Limits"). */
export type QueryLimits = Pick<RequestLimits, 'filter' | 'attributeList'>;

/** RFC 7644 §3.4.2: the query-string form (parameter names case-insensitive). */
export function parseListParameters(query: Record<string, unknown>, limits: QueryLimits): ListParameters {
  return listParameters({
    filter: single(query, 'filter'),
    sortBy: single(query, 'sortBy'),
    sortOrder: single(query, 'sortOrder'),
    startIndex: single(query, 'startIndex'),
    count: single(query, 'count'),
    attributes: single(query, 'attributes'),
    excludedAttributes: single(query, 'excludedAttributes'),
  }, limits);
}

/** RFC 7644 §3.4.3: the same parameters in a SearchRequest body (`POST .../.search`). */
export function parseSearchRequest(body: unknown, limits: QueryLimits): ListParameters {
  return listParameters(validateMessage(SearchRequest, body), limits);
}

function listParameters(
  request: {
    filter?: string;
    sortBy?: string;
    sortOrder?: string;
    startIndex?: unknown;
    count?: unknown;
    attributes?: string | readonly string[];
    excludedAttributes?: string | readonly string[];
  },
  limits: QueryLimits,
): ListParameters {
  const filter = request.filter === undefined || request.filter.trim() === '' ? undefined : parseFilter(request.filter, limits.filter);
  const { startIndex, count } = parsePagination({ startIndex: request.startIndex, count: request.count }, PAGE_LIMITS);
  const selection = attributeSelectionOf(request.attributes, request.excludedAttributes, limits);
  return { filter, sort: sortOf(request.sortBy, request.sortOrder), startIndex, count, selection };
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
export function parseAttributeSelection(query: Record<string, unknown>, limits: QueryLimits): AttributeSelection {
  return attributeSelectionOf(single(query, 'attributes'), single(query, 'excludedAttributes'), limits);
}

function attributeSelectionOf(attributes: string | readonly string[] | undefined, excludedAttributes: string | readonly string[] | undefined, limits: QueryLimits): AttributeSelection {
  assertAttributeListWithinLimits('attributes', attributes, limits);
  assertAttributeListWithinLimits('excludedAttributes', excludedAttributes, limits);
  return { attributes, excludedAttributes };
}

/** Each name costs a lookup per returned resource: the list is bounded (400 invalidValue, docs/operations.md "Limits"). */
function assertAttributeListWithinLimits(name: string, list: string | readonly string[] | undefined, { attributeList }: QueryLimits): void {
  if (list === undefined) return;
  const items = typeof list === 'string' ? [list] : list;
  const length = items.reduce((sum, item) => sum + item.length, 0) + items.length - 1;
  if (length > attributeList.maxLength) {
    throw new InvalidValueError(`${name} is ${length} characters long; at most ${attributeList.maxLength} are allowed`);
  }
  const entries = items.reduce((sum, item) => sum + item.split(',').filter((entry) => entry.trim() !== '').length, 0);
  if (entries > attributeList.maxEntries) {
    throw new InvalidValueError(`${name} has ${entries} entries; at most ${attributeList.maxEntries} are allowed`);
  }
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const value = query[key];
  if (typeof value !== 'string') throw new InvalidSyntaxError(`query parameter ${name} must be given once, as text`);
  return value;
}
