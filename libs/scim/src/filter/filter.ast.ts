/**
 * The typed AST of a SCIM filter (RFC 7644 §3.4.2.2). Produced by the parser, consumed by the in-memory
 * evaluator (libs/scim) and the SQL compiler (libs/read-model). No storage dependency.
 */

/**
 * An attribute path: `[uri:]attribute[.subAttribute]`. Names keep the case the client sent; consumers compare
 * them case-insensitively (RFC 7643 §2.1). `uri` is the schema URN when the path was URN-qualified, e.g.
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` has
 * uri = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attribute = 'manager', subAttribute = 'value'.
 */
export interface AttributePath {
  readonly uri?: string;
  readonly attribute: string;
  readonly subAttribute?: string;
}

export type ComparisonOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** JSON literal of a comparison; dateTime values stay strings (the schema says how to compare them). */
export type FilterValue = string | number | boolean | null;

export type Filter =
  | { readonly kind: 'compare'; readonly path: AttributePath; readonly op: ComparisonOperator; readonly value: FilterValue }
  | { readonly kind: 'present'; readonly path: AttributePath }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  /**
   * `emails[type eq "work" and value co "@x"]`: true when one element of the multi-valued attribute `path`
   * matches `filter`, whose paths are relative to the element (sub-attribute names in `attribute`).
   * Entra's non-RFC `emails[type eq "work"].value eq "x"` parses to
   * valuePath(emails, and(type eq "work", value eq "x")).
   */
  | { readonly kind: 'valuePath'; readonly path: AttributePath; readonly filter: Filter };
