import type { Filter } from '#scim/filter/filter.ast.js';
import type { SchemaRegistry } from '#scim/schema/schema.registry.js';
import type { SortRequest, SortTerm } from './filter/sort-sql.compiler.js';
import type { SqlFragment } from './filter/sql-fragment.js';

/** A list request (RFC 7644 §3.4.2) as UsersQuery.search and GroupsQuery.search take it. */
export interface SearchRequest {
  /** §3.4.2.2; none lists every resource of the tenant. */
  readonly filter?: Filter;
  /** §3.4.2.3 */
  readonly sort?: SortRequest;
  /** §3.4.2.4: 1-based. */
  readonly startIndex: number;
  /** §3.4.2.4: the page size; 0 asks only for totalResults. */
  readonly count: number;
  /** The tenant's schemas, when it has extensions of its own; the query's registry otherwise. */
  readonly registry?: SchemaRegistry;
}

/** What a list request (RFC 7644 §3.4.2) asks of one read-model table. */
export interface SearchStatementInput {
  /** A read-model table with a `tenant_id` column. */
  readonly table: string;
  /** The columns each resource row carries (plain column names of `table`). */
  readonly columns: readonly string[];
  readonly tenantId: string;
  /** The compiled filter, its placeholders numbered from $2 ($1 is the tenant); `TRUE` for no filter. */
  readonly where: SqlFragment;
  /** The client's sortBy, if any: the first ORDER BY term. */
  readonly sort?: SortTerm;
  /** Columns (among `columns`) that make the order total, so that pages are stable. */
  readonly tieBreakers: readonly string[];
  /** RFC 7644 §3.4.2.4: 1-based; values below 1 are read as 1. */
  readonly startIndex: number;
  /** RFC 7644 §3.4.2.4: the page size; 0 asks only for totalResults. */
  readonly count: number;
  /**
   * More values per resource row, computed for the page only: SQL expressions over `page.<column>` (and $1, the
   * tenant), keyed by the name they are returned under.
   */
  readonly computed?: Readonly<Record<string, string>>;
}

/**
 * The statements of a search:
 *
 * - `search`: the total and the page in one statement (one round trip), what the queries run. The count is an
 *   aggregate without GROUP BY, so it yields exactly one row whether or not anything matched; the page is a
 *   LATERAL subquery LEFT JOINed to it, so an empty page (no match, or startIndex past the end) is that one row
 *   with NULL resource columns and the total still exact. Each side keeps the plan it has alone (an index-only
 *   count; a top-N sort of the matches), unlike `count(*) OVER ()`, which holds every match in memory before
 *   the first row comes out. The outer ORDER BY repeats the page's order on the sort key the subquery selects,
 *   so the order of the rows does not depend on how the join is executed.
 * - `count`: the total alone, for count=0.
 *
 * A condition that reads each row's jsonb (`where.readsDocuments`: no index serves it, every row of the tenant is
 * tested) is tested once instead of twice: the keys of the matches go into a MATERIALIZED CTE, which the total
 * counts and the page sorts, and only the page's rows are read in full. Planning and executing a long filter
 * of that kind twice was half of its cost (docs/benchmarks-filters-memory.md "Filters that cannot use an index").
 */
export function buildSearchStatements(input: SearchStatementInput): SearchStatements {
  const { table, columns, where, sort, tieBreakers } = input;
  const params = [input.tenantId, ...where.params];
  const paging = [input.count, Math.max(input.startIndex, 1) - 1];
  const limit = `LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
  const condition = `tenant_id = $1 AND (${where.sql})`;
  const countSql = `SELECT count(*) AS total FROM ${table} WHERE ${condition}`;
  const innerOrder = [...(sort ? [`${sort.expression} ${sort.direction}`] : []), ...tieBreakers].join(', ');
  const outerOrder = [...(sort ? [`page.${SORT_KEY} ${sort.direction}`] : []), ...tieBreakers.map((column) => `page.${column}`)].join(', ');
  const selectedSortKey = sort ? `, ${sort.expression} AS ${SORT_KEY}` : '';
  const computed = Object.entries(input.computed ?? {}).map(([name, expression]) => `, ${expression} AS ${name}`).join('');
  if (where.readsDocuments) {
    // The condition walks each row's jsonb: test it once, keep the keys of the matches, count them and page them.
    const keys = [...new Set(['id', ...tieBreakers])];
    const keyOrder = [...(sort ? [`${SORT_KEY} ${sort.direction}`] : []), ...tieBreakers].join(', ');
    return {
      search: {
        sql: `WITH matched AS MATERIALIZED (SELECT ${keys.join(', ')}${selectedSortKey} FROM ${table} WHERE ${condition})
       SELECT counted.total, ${columns.map((column) => `page.${column}`).join(', ')}${computed}
       FROM (SELECT count(*) AS total FROM matched) AS counted
       LEFT JOIN LATERAL (
         SELECT ${columns.map((column) => `${table}.${column}`).join(', ')}${sort ? `, page_keys.${SORT_KEY}` : ''}
         FROM (SELECT * FROM matched ORDER BY ${keyOrder} ${limit}) AS page_keys
         JOIN ${table} ON ${table}.tenant_id = $1 AND ${table}.id = page_keys.id
       ) AS page ON TRUE
       ORDER BY ${outerOrder}`,
        params: [...params, ...paging],
      },
      count: { sql: countSql, params },
    };
  }
  return {
    search: {
      sql: `SELECT matched.total, ${columns.map((column) => `page.${column}`).join(', ')}${computed}
       FROM (${countSql}) AS matched
       LEFT JOIN LATERAL (
         SELECT ${columns.join(', ')}${selectedSortKey} FROM ${table} WHERE ${condition}
         ORDER BY ${innerOrder} ${limit}
       ) AS page ON TRUE
       ORDER BY ${outerOrder}`,
      params: [...params, ...paging],
    },
    count: { sql: countSql, params },
  };
}

export interface SearchStatements {
  readonly search: SqlFragment;
  readonly count: SqlFragment;
}

const SORT_KEY = 'search_sort_key';

/**
 * Runs a search: `count` alone for count=0, otherwise the one `search` statement, whose rows are split into the
 * total and the resource rows (the one all-NULL row of an empty page has no `id`, which a resource row always has).
 */
export async function runSearch<Row extends { readonly id: string }>(
  database: { query<Result>(sql: string, params?: unknown[]): Promise<Result> },
  statements: SearchStatements,
  count: number,
): Promise<{ total: number; rows: Row[] }> {
  if (count === 0) {
    const [{ total }] = await database.query<{ total: string }[]>(statements.count.sql, [...statements.count.params]);
    return { total: Number(total), rows: [] };
  }
  const rows = await database.query<(Row & { total: string })[]>(statements.search.sql, [...statements.search.params]);
  if (rows.length === 0) throw new Error('a search statement returned no row: its count must always yield one');
  return { total: Number(rows[0].total), rows: rows.filter((row) => row.id !== null) };
}
