import { findSubAttribute, type AttributeDefinition } from '../schema/attribute-definition.js';
import { InvalidSyntaxError, InvalidValueError } from '../scim-error.js';
import { isPlainObject, type JsonObject } from './json-value.js';
import { parseDateTime } from './date-time.js';

/** What to do with attributes no schema defines: RFC 7644 §3.3 says reject (invalidSyntax); some deployments ignore. */
export type UnknownAttributePolicy = 'reject' | 'ignore';

export interface ValueNormalisationOptions {
  readonly unknownAttributes?: UnknownAttributePolicy;
}

/**
 * Brings one attribute value to the schema's shape, or returns undefined when it means "no value".
 * `pathText` names the attribute in error details (e.g. `name.givenName`).
 *
 *  - null, an empty array and a complex value with no attribute left are "no value" (RFC 7643 §2.5: unassigned,
 *    null and [] are equivalent); an empty string is a value.
 *  - Types (RFC 7643 §2.3): "True"/"False" in any case become booleans (Entra sends `"active":"True"`);
 *    numeric strings become numbers for integer and decimal; dateTime must be an xsd:dateTime; binary must be
 *    base64. Anything else is invalidValue naming the attribute and the expected type.
 *  - Complex: sub-attribute names take the schema's case; readOnly sub-attributes are dropped (RFC 7643 §2.2
 *    "SHALL be ignored"); unknown sub-attributes are invalidSyntax or dropped, by policy. A singular complex
 *    attribute with a `value` sub-attribute also accepts a bare string (Entra's manager as a string) and a
 *    one-element array (Entra's `Add manager [{"$ref":..., "value":...}]`).
 *  - Multi-valued: an array (a lone element is wrapped only when `wrapSingleValue`, as PATCH values may be).
 *  - canonicalValues are not enforced: RFC 7643 §7 lets providers accept other values.
 */
export function normaliseAttributeValue(
  definition: AttributeDefinition,
  value: unknown,
  pathText: string,
  options: ValueNormalisationOptions & { readonly wrapSingleValue?: boolean } = {},
): unknown {
  if (value === null || value === undefined) return undefined;
  if (!definition.multiValued) return normaliseSingleValue(definition, value, pathText, options);
  if (!Array.isArray(value) && !options.wrapSingleValue) {
    throw new InvalidValueError(`attribute '${pathText}' must be an array (it is multi-valued)`);
  }
  const elements = (Array.isArray(value) ? value : [value])
    .map((element) => normaliseSingleValue(definition, element, pathText, options))
    .filter((element) => element !== undefined);
  return elements.length === 0 ? undefined : elements;
}

function normaliseSingleValue(
  definition: AttributeDefinition,
  value: unknown,
  pathText: string,
  options: ValueNormalisationOptions,
): unknown {
  if (value === null || value === undefined) return undefined;
  switch (definition.type) {
    case 'string':
    case 'reference':
      if (typeof value === 'string') return value;
      throw wrongType(definition, value, pathText);
    case 'binary':
      // RFC 7643 §2.3.6: base64 (RFC 4648 §4); the URL-safe alphabet is accepted too.
      if (typeof value === 'string' && /^[A-Za-z0-9+/_=\s-]*$/.test(value)) return value;
      throw wrongType(definition, value, pathText);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)) return value.trim().toLowerCase() === 'true';
      throw wrongType(definition, value, pathText);
    case 'integer':
    case 'decimal': {
      const number = typeof value === 'number' ? value : typeof value === 'string' ? parseNumericString(value) : undefined;
      if (number !== undefined && Number.isFinite(number) && (definition.type === 'decimal' || Number.isInteger(number))) {
        return number;
      }
      throw wrongType(definition, value, pathText);
    }
    case 'dateTime':
      if (typeof value === 'string' && parseDateTime(value) !== undefined) return value;
      throw wrongType(definition, value, pathText);
    case 'complex':
      return normaliseComplexValue(definition, value, pathText, options);
  }
}

function normaliseComplexValue(
  definition: AttributeDefinition,
  value: unknown,
  pathText: string,
  options: ValueNormalisationOptions,
): JsonObject | undefined {
  const valueSubAttribute = findSubAttribute(definition, 'value');
  if (!definition.multiValued && valueSubAttribute && (typeof value === 'string' || typeof value === 'number')) {
    // ENTRA.md: the manager may arrive as a bare string.
    return normaliseComplexValue(definition, { value: String(value) }, pathText, options);
  }
  if (!definition.multiValued && Array.isArray(value)) {
    // ENTRA.md: `{"op":"Add","path":"manager","value":[{"$ref":...,"value":...}]}`.
    const present = value.filter((element) => element !== null && element !== undefined);
    if (present.length === 0) return undefined;
    if (present.length === 1) return normaliseComplexValue(definition, present[0], pathText, options);
    throw new InvalidValueError(`attribute '${pathText}' is single-valued but ${present.length} values were given`);
  }
  if (!isPlainObject(value)) throw wrongType(definition, value, pathText);

  const result: JsonObject = {};
  for (const [key, subValue] of Object.entries(value)) {
    const subAttribute = findSubAttribute(definition, key);
    if (!subAttribute) {
      if (options.unknownAttributes === 'ignore') continue;
      throw new InvalidSyntaxError(`'${pathText}' has no sub-attribute '${key}'`);
    }
    if (subAttribute.mutability === 'readOnly') continue;
    if (Object.hasOwn(result, subAttribute.name)) {
      throw new InvalidSyntaxError(`sub-attribute '${pathText}.${subAttribute.name}' is given twice (names are case-insensitive)`);
    }
    const normalised = normaliseAttributeValue(subAttribute, subValue, `${pathText}.${subAttribute.name}`, options);
    if (normalised !== undefined) result[subAttribute.name] = normalised;
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

function parseNumericString(text: string): number | undefined {
  return /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

function wrongType(definition: AttributeDefinition, value: unknown, pathText: string): InvalidValueError {
  const shown = JSON.stringify(value);
  const excerpt = shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
  return new InvalidValueError(`attribute '${pathText}' must be ${describeType(definition)}, got ${excerpt}`);
}

const TYPE_DESCRIPTIONS: Readonly<Record<AttributeDefinition['type'], string>> = {
  string: 'string',
  boolean: 'boolean (true or false)',
  decimal: 'decimal number',
  integer: 'integer',
  dateTime: 'dateTime (xsd:dateTime, e.g. 2008-01-23T04:56:22Z)',
  reference: 'reference (a URI string)',
  complex: 'complex value (a JSON object)',
  binary: 'binary value (base64 string)',
};

function describeType(definition: AttributeDefinition): string {
  const description = TYPE_DESCRIPTIONS[definition.type];
  return `${/^[aeiou]/.test(description) ? 'an' : 'a'} ${description}`;
}
