import { DEFAULT_FILTER_LIMITS, FILTER_LIMIT_CEILINGS, type FilterLimits } from '../filter/filter.limits.js';
import type { JsonInputLimits } from '../resource/json-input.js';

/**
 * Every bound on the size and shape of a request (DESIGN.md "Every request's cost is bounded"), checked before any
 * work and answered 400 naming the limit. Configured by the variables in docs/operations.md "Limits"; advertised
 * in /ServiceProviderConfig.
 */
export interface RequestLimits {
  readonly filter: FilterLimits;
  /** `attributes` / `excludedAttributes` (RFC 7644 §3.9): names in the list, and characters of the list. */
  readonly attributeList: { readonly maxEntries: number; readonly maxLength: number };
  /** Operations in one PatchOp (RFC 7644 §3.5.2). */
  readonly patchOperations: number;
  /** Any JSON body: nesting and string length. */
  readonly json: JsonInputLimits;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  filter: DEFAULT_FILTER_LIMITS,
  attributeList: { maxEntries: 100, maxLength: 4096 },
  patchOperations: 1000,
  json: { maxDepth: 32, maxStringLength: 16_384 },
};

/** The most a deployment may configure: beyond these the stores or the call stack, not the gateway, would refuse. */
export const REQUEST_LIMIT_CEILINGS: RequestLimits = {
  filter: FILTER_LIMIT_CEILINGS,
  attributeList: { maxEntries: 1000, maxLength: 65_536 },
  patchOperations: 10_000,
  json: { maxDepth: 256, maxStringLength: 1_048_576 },
};
