import { defineAttribute, type AttributeDefinition, type AttributeDefinitionInput } from './attribute-definition.js';

/** A schema as data (RFC 7643 §7): its URN, a name, and its top-level attributes. */
export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

/** A schema given as configuration: characteristics left out take the RFC 7643 §2.2 defaults. */
export interface SchemaDefinitionInput {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly attributes: readonly SchemaAttributeInput[];
}

export type SchemaAttributeInput = Omit<AttributeDefinitionInput, 'subAttributes'> & {
  readonly subAttributes?: readonly AttributeDefinitionInput[];
};

/** Completes a configured schema with RFC 7643 §2.2 defaults, sub-attributes included. */
export function defineSchema(input: SchemaDefinitionInput): SchemaDefinition {
  return {
    id: input.id,
    name: input.name ?? lastSegment(input.id),
    description: input.description ?? '',
    attributes: input.attributes.map(({ subAttributes, ...attribute }) =>
      defineAttribute({ ...attribute, ...(subAttributes ? { subAttributes: subAttributes.map(defineAttribute) } : {}) }),
    ),
  };
}

function lastSegment(urn: string): string {
  return urn.slice(urn.lastIndexOf(':') + 1);
}
