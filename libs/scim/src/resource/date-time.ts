/**
 * RFC 7643 §2.3.5: dateTime values are xsd:dateTime strings, e.g. `2008-01-23T04:56:22Z`. A value without a zone
 * is read as UTC, so a comparison never depends on the machine's time zone.
 */
const XSD_DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Milliseconds since the epoch, or undefined when the text is not a valid xsd:dateTime. Fields are checked
 * against the calendar first: Date.parse would roll `2021-02-29` over to March 1st.
 */
export function parseDateTime(text: string): number | undefined {
  const match = XSD_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.slice(0, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || minute > 59 || second > 59) return undefined;
  // xsd:dateTime allows 24:00:00 for the end of a day (the next day's 00:00:00), and no other hour past 23.
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0))) return undefined;
  const instant = Date.parse(match[7] === undefined ? `${text}Z` : text);
  return Number.isNaN(instant) ? undefined : instant;
}

export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}
