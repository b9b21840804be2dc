/** Pure formatting helpers (unit-tested without a browser). */

/**
 * `2026-12-07 23:54:25 UTC`: one unambiguous form, the one the admin API's ISO times convert to; with
 * `milliseconds`, `2026-12-07 23:54:25.902 UTC`, as events and log entries are recorded (asOf compares milliseconds).
 */
export function formatTime(iso: string | null | undefined, precision: 'seconds' | 'milliseconds' = 'seconds'): string {
  if (!iso) return '—';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return String(iso);
  return `${time.toISOString().slice(0, precision === 'seconds' ? 19 : 23).replace('T', ' ')} UTC`;
}

/** How a status reads out loud and in text (never by colour alone): "201 success", "409 client error". */
export function statusWords(status: number): string {
  if (status >= 500) return 'server error';
  if (status >= 400) return 'client error';
  if (status >= 300) return 'redirect';
  return 'success';
}

/** `1,234` */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** The pages of a list: 1-based startIndex, count per page, total results (SCIM paging, RFC 7644 §3.4.2.4). */
export interface PageWindow {
  readonly first: number;
  readonly last: number;
  readonly total: number;
  readonly previousStart: number | null;
  readonly nextStart: number | null;
}

export function pageWindow(startIndex: number, count: number, total: number): PageWindow {
  const start = Math.max(1, Math.floor(startIndex));
  const size = Math.max(1, Math.floor(count));
  const last = Math.min(total, start + size - 1);
  return {
    first: total === 0 ? 0 : Math.min(start, total),
    last,
    total,
    previousStart: start > 1 ? Math.max(1, start - size) : null,
    nextStart: start + size <= total ? start + size : null,
  };
}

/** A positive integer from a query-string value, else the fallback, at most `max`. */
export function positiveInt(value: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === null || !/^\d{1,9}$/.test(value)) return fallback;
  const number = Number(value);
  return number >= 1 ? Math.min(number, max) : fallback;
}
