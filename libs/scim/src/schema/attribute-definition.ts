/**
 * Attribute definitions as data: every characteristic of RFC 7643 §2.2 and §7, so validation, filtering,
 * PATCH and projection read one description of each attribute instead of hard-coding rules.
 */

/** RFC 7643 §2.3: the data types of SCIM attributes. */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary';

/** RFC 7643 §7 `mutability`. */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

/** RFC 7643 §7 `returned`. */
export type Returned = 'always' | 'never' | 'default' | 'request';

/** RFC 7643 §7 `uniqueness`. */
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  /** Only meaningful for string and reference values: whether comparisons respect case (RFC 7643 §2.1). */
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  /** Suggested values; RFC 7643 §7 lets a provider accept others, so validation does not enforce them. */
  readonly canonicalValues?: readonly string[];
  /** For `reference` attributes: resource type names, `external` or `uri` (RFC 7643 §7). */
  readonly referenceTypes?: readonly string[];
  /** For `complex` attributes; SCIM allows one level of nesting only (RFC 7643 §2.3.8). */
  readonly subAttributes?: readonly AttributeDefinition[];
}

/** The characteristics RFC 7643 §2.2 assigns when a schema does not state them. */
const RFC_DEFAULTS = {
  multiValued: false,
  description: '',
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
} as const satisfies Partial<AttributeDefinition>;

export type AttributeDefinitionInput = Pick<AttributeDefinition, 'name' | 'type'> &
  Partial<Omit<AttributeDefinition, 'name' | 'type'>>;

/** Builds a definition with the RFC 7643 §2.2 defaults for every characteristic not given. */
export function defineAttribute(input: AttributeDefinitionInput): AttributeDefinition {
  return { ...RFC_DEFAULTS, ...input };
}

/** Finds a sub-attribute by name; names are case-insensitive (RFC 7643 §2.1). */
export function findSubAttribute(
  parent: AttributeDefinition,
  name: string,
): AttributeDefinition | undefined {
  const wanted = name.toLowerCase();
  return parent.subAttributes?.find((sub) => sub.name.toLowerCase() === wanted);
}
