import type { AttributePath, Filter } from '../filter/filter.ast.js';
import { FILTER_LIMIT_CEILINGS, type FilterLimits } from '../filter/filter.limits.js';
import { FilterParser } from '../filter/filter.parser.js';
import { InvalidFilterError, InvalidPathError } from '../scim-error.js';

/**
 * A PATCH path (RFC 7644 §3.5.2, `PATH = attrPath / valuePath [subAttr]`): `name.familyName`,
 * `members[value eq "2819c223"]`, `emails[type eq "work"].value`, or URN-qualified
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
 */
export interface PatchPath {
  /** The attribute; for a value path, `subAttribute` is the one after `]`. */
  readonly attribute: AttributePath;
  /** The filter inside `[...]`, whose paths name sub-attributes of `attribute`. */
  readonly valueFilter?: Filter;
}

/**
 * Parses a PATCH path; a malformed one is invalidPath (RFC 7644 §3.5.2), with the filter parser's detail. Its
 * value filter is held to the same `limits` as any filter (the HTTP edge passes the configured ones).
 */
export function parsePatchPath(text: string, limits: FilterLimits = FILTER_LIMIT_CEILINGS): PatchPath {
  try {
    const { path, valueFilter } = new FilterParser(text, limits).parseWholePatchPath();
    return valueFilter === undefined ? { attribute: path } : { attribute: path, valueFilter };
  } catch (error) {
    if (error instanceof InvalidFilterError) throw new InvalidPathError(`invalid PATCH path: ${error.detail}`);
    throw error;
  }
}
