/**
 * Where a resource type's read model keeps each attribute, for the filter and sort compilers: a few hot
 * attributes in real (indexed) columns, everything else in one jsonb column holding the resource as the client
 * sent it after validation (core attributes at the top level, extension attributes under their schema URN,
 * names in the schema's canonical case).
 *
 * SQL expressions here are written by us, not derived from requests; they may name the row's columns
 * unqualified, so the compiled fragment must be used in a query over the read model's table.
 */

/** One attribute path (`userName`, `meta.created`) held in a column. */
export type MappedColumn =
  | {
      readonly kind: 'string';
      /** The value as text; NULL when absent. */
      readonly expression: string;
      /**
       * The value after String#toLowerCase (how libs/scim folds case), written by the projection. Comparisons of
       * a caseExact=false attribute use it with an operand lower-cased the same way, so a plain btree index on
       * it serves `eq`. Without it they compare lower() of both sides.
       */
      readonly lowerCaseExpression?: string;
      /** A uuid column whose text form is `expression`: `eq`/`ne` with a uuid compare it, so its index applies. */
      readonly uuidExpression?: string;
    }
  | { readonly kind: 'boolean'; readonly expression: string }
  /** A timestamptz column. */
  | { readonly kind: 'dateTime'; readonly expression: string }
  /** A complex attribute every resource has, whose sub-attributes are columns of their own (`meta`). */
  | { readonly kind: 'presentComplex' }
  /** An attribute the read model does not hold (e.g. `meta.location`, which depends on the request's URL). */
  | { readonly kind: 'unsupported'; readonly reason: string };

/**
 * A column holding `subAttribute` of the elements of a multi-valued attribute whose `type` is one value:
 * the String#toLowerCase of `subAttribute` of every element that is an object whose `type` and `subAttribute`
 * are strings and whose lower-cased `type` equals `type`, as a text[] (for `@>`, GIN-indexed).
 * It serves exactly `attribute[type eq "<type>" and <subAttribute> eq "x"]` (and Entra's
 * `attribute[type eq "<type>"].<subAttribute> eq "x"`, which parses the same), when both sub-attributes are
 * caseExact=false; every other filter on the attribute reads the jsonb.
 */
export interface TypedValueColumn {
  /** Canonical attribute path: `emails`, or `<schema URN>:<attribute>` for an extension attribute. */
  readonly attribute: string;
  /** Lower-case. */
  readonly type: string;
  readonly subAttribute: string;
  readonly expression: string;
}

/**
 * A multi-valued complex attribute kept in a table of its own, one row per element (a group's members): filters
 * on it become `EXISTS (SELECT 1 FROM <from> WHERE <correlation> AND <element condition>)`, which the table's
 * index serves, instead of reading a whole member list.
 */
export interface ElementTable {
  /** Table and alias, e.g. `scim_group_members member`. */
  readonly from: string;
  /** Ties an element row to the resource row of the outer query. */
  readonly correlation: string;
  /** Sub-attributes by canonical name, as columns of the element table. */
  readonly columns: Readonly<Record<string, MappedColumn>>;
}

export interface ColumnMapping {
  /** The jsonb column with the resource's attributes. */
  readonly attributesColumn: string;
  /**
   * A text column holding `lower(<attributesColumn>::text)`, the document's text form lower-cased: comparisons
   * read from the jsonb are first tested against it, which costs far less (FilterSqlCompiler's
   * documentTextPrefilter). Without it they read the jsonb alone.
   */
  readonly documentTextColumn?: string;
  /** Multi-valued attributes kept in element tables, keyed by canonical attribute path. */
  readonly elementTables?: Readonly<Record<string, ElementTable>>;
  /**
   * Attribute paths held in columns, keyed by canonical path: `attribute` or `attribute.subAttribute` for core
   * and common attributes, `<schema URN>:attribute[.subAttribute]` for extension ones (keys compare
   * case-insensitively). A path whose attribute maps to `presentComplex` but which has no key of its own is not
   * filterable: it is not in the jsonb either.
   */
  readonly columns: Readonly<Record<string, MappedColumn>>;
  readonly typedValueColumns?: readonly TypedValueColumn[];
}
