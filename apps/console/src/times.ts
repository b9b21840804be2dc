/**
 * Times as the console shows and reads them: instants in UTC to the millisecond (as the gateway records them), and
 * `datetime-local` inputs, which hold a time in the browser's zone, converted to and from the ISO UTC times the
 * URLs and the admin API use. Pure (no DOM).
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The value a `datetime-local` input shows for an ISO time, in the browser's time zone, to the millisecond
 * (`2030-01-31T10:12:03.902`); '' for a missing or unreadable time.
 */
export function localInputValue(iso: string | null | undefined): string {
  if (!iso) return '';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '';
  const base = `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  return time.getMilliseconds() === 0 ? base : `${base}.${pad(time.getMilliseconds(), 3)}`;
}

/** A `datetime-local` value (the browser's time zone) as an ISO UTC time; null when empty or not a time. */
export function isoFromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  // Without a zone, the Date constructor reads a date-time in the local zone (ECMA-262 Date Time String Format).
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

/** The browser's time zone said in words: `Europe/Paris (UTC+01:00)`, `UTC`. Offsets differ by date (summer time). */
export function zoneLabel(at: Date = new Date(), zoneName?: string): string {
  const offset = -at.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const utc = offset === 0 ? 'UTC' : `UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return zoneName && zoneName !== 'UTC' && zoneName !== 'Etc/UTC' ? `${zoneName} (${utc})` : utc;
}

/** How long something took: `850 ms`, `12.4 s`. */
export function formatElapsed(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.max(0, Math.round(milliseconds))} ms` : `${(milliseconds / 1000).toFixed(1)} s`;
}
