import { PreconditionFailedError } from '../scim-error.js';

/**
 * A resource's version as the client sees it: its stream revision as a weak entity tag, `W/"<revision>"`
 * (RFC 7644 §3.14, STYLE.md principle 6). The one place that writes and reads that form: meta.version, the ETag
 * header, If-Match / If-None-Match, bulk versions, Kafka records and the read model's `meta.version` column.
 */
export function weakEtag(revision: bigint | number | string): string {
  return `W/"${revision}"`;
}

/** The SQL expression of weakEtag over a bigint column (the read model's `meta.version`). */
export function weakEtagSql(revisionColumn: string): string {
  return `('W/"' || ${revisionColumn}::text || '"')`;
}

/** `If-Match: W/"3"` → 3n (RFC 7644 §3.14); `*` or absent → no requirement; anything else 412. */
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
