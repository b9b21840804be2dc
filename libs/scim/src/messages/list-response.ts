import { MessageSchema } from './message-schemas.js';

/** RFC 7644 §3.4.2: the body of a query response. */
export interface ListResponse<Resource> {
  readonly schemas: readonly [typeof MessageSchema.listResponse];
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly Resources: readonly Resource[];
}

export interface ListPage {
  /** All matches of the query, not only this page's (RFC 7644 §3.4.2). */
  readonly totalResults: number;
  /** 1-based index of the first resource of this page (RFC 7644 §3.4.2.4). */
  readonly startIndex: number;
}

/**
 * Builds a ListResponse. `Resources` is always present, even empty: Entra's Test Connection expects
 * `totalResults: 0` with an empty list, never a 404 (ENTRA.md).
 */
export function buildListResponse<Resource>(resources: readonly Resource[], page: ListPage): ListResponse<Resource> {
  return {
    schemas: [MessageSchema.listResponse],
    totalResults: page.totalResults,
    startIndex: page.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
