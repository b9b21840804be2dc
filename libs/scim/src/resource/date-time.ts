/**
 * RFC 7643 §2.3.5: dateTime values are xsd:dateTime strings, e.g. `2008-01-23T04:56:22Z`. A value without a zone
 * is read as UTC, so a comparison never depends on the machine's time zone.
 */
const XSD_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Milliseconds since the epoch, or undefined when the text is not an xsd:dateTime. */
export function parseDateTime(text: string): number | undefined {
  const match = XSD_DATE_TIME.exec(text);
  if (!match) return undefined;
  const instant = Date.parse(match[1] === undefined ? `${text}Z` : text);
  return Number.isNaN(instant) ? undefined : instant;
}
