/**
 * Bounds on one filter (RFC 7644 §3.4.2.2), checked while it is parsed, so neither the parser nor anything that
 * walks the AST afterwards (the evaluator, the SQL compiler) meets a filter beyond them: a filter's cost is its
 * comparisons and the attribute paths they touch, and its AST is at most `maxComparisons + maxDepth` deep (`and`
 * and `or` chains nest to the left, one level per term).
 */
export interface FilterLimits {
  /** Characters of the filter text. */
  readonly maxLength: number;
  /** Comparisons (`attrPath op value` and `attrPath pr`), inside value paths too. */
  readonly maxComparisons: number;
  /** Nesting of `(`, `not (` and `[`: each opens one level. */
  readonly maxDepth: number;
  /** Distinct attribute paths (compared case-insensitively, as RFC 7643 §2.1 names are). */
  readonly maxAttributePaths: number;
}

/** The defaults (docs/operations.md "Limits"): Entra's and Okta's filters use one or two terms and no nesting. */
export const DEFAULT_FILTER_LIMITS: FilterLimits = { maxLength: 4096, maxComparisons: 50, maxDepth: 16, maxAttributePaths: 20 };

/**
 * The most a deployment may configure, and what the parser holds every filter to when no limits are given (PATCH
 * paths parsed inside the deciders): the recursion of the parser and of every AST walk stays far below the stack.
 */
export const FILTER_LIMIT_CEILINGS: FilterLimits = { maxLength: 65_536, maxComparisons: 1000, maxDepth: 64, maxAttributePaths: 200 };
