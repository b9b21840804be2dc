import type { AttributeDefinition } from '../schema/attribute-definition.js';
import type { ResourceTypeName } from '../schema/resource-type.js';
import type { SchemaRegistry } from '../schema/schema.registry.js';
import { InvalidValueError } from '../scim-error.js';
import { elementsOf, getIgnoringCase, isPresentValue } from './attribute-access.js';
import { isPlainObject, type JsonObject } from './json-value.js';

/**
 * What every stored resource must satisfy, after a POST, PUT or PATCH alike:
 *  - required attributes are present (RFC 7643 §2.2 `required`; an empty string is not, as for `pr`), readOnly
 *    ones excepted since the service provider sets them; an extension's required attributes only when the extension is present or required (RFC 7643 §6);
 *  - at most one element of a multi-valued attribute has `primary: true` (RFC 7643 §2.4);
 *  - the values the stores index fit their index (INDEXED_VALUE_MAX_BYTES).
 * Violations are invalidValue naming the attribute.
 */
export function assertResourceInvariants(resource: JsonObject, registry: SchemaRegistry, resourceType: ResourceTypeName): void {
  checkIndexedValues(resource);
  checkAttributes(registry.topLevelAttributes(resourceType), resource, '');
  for (const extension of registry.extensionSchemas(resourceType)) {
    const values = getIgnoringCase(resource, extension.id);
    if (isPlainObject(values)) {
      checkAttributes(extension.attributes, values, `${extension.id}:`);
    } else if (registry.isExtensionRequired(resourceType, extension.id)) {
      throw new InvalidValueError(`the schema extension '${extension.id}' is required for ${resourceType}`);
    }
  }
}

function checkAttributes(attributes: readonly AttributeDefinition[], values: JsonObject, prefix: string): void {
  for (const attribute of attributes) {
    const value = getIgnoringCase(values, attribute.name);
    const pathText = `${prefix}${attribute.name}`;
    if (!isPresentValue(value)) {
      if (attribute.required && attribute.mutability !== 'readOnly') {
        throw new InvalidValueError(`attribute '${pathText}' is required`);
      }
      continue;
    }
    if (attribute.type !== 'complex') continue;
    const elements = elementsOf(value).filter(isPlainObject);
    if (attribute.multiValued && elements.filter((element) => getIgnoringCase(element, 'primary') === true).length > 1) {
      throw new InvalidValueError(`at most one value of '${pathText}' may have primary set to true (RFC 7643 §2.4)`);
    }
    for (const element of elements) checkAttributes(attribute.subAttributes ?? [], element, `${pathText}.`);
  }
}

/**
 * UTF-8 bytes of a value the stores index: userName, externalId, displayName (users and groups) and
 * emails.value. PostgreSQL's B-tree refuses an index row over 2,704 bytes (`index row size exceeds btree
 * maximum`), and a unique key's reservation stream name holds the value percent-encoded (up to three times as
 * long) beside the tenant id: 768 bytes keep both below it, for any script (256 CJK characters, 768 ASCII ones).
 * Fixed, not configured: it is the stores' limit, not a policy.
 */
export const INDEXED_VALUE_MAX_BYTES = 768;
const INDEXED_ATTRIBUTES = ['userName', 'externalId', 'displayName'] as const;

function checkIndexedValues(resource: JsonObject): void {
  const check = (value: unknown, pathText: string): void => {
    if (typeof value !== 'string') return;
    const bytes = new TextEncoder().encode(value).length;
    if (bytes > INDEXED_VALUE_MAX_BYTES) {
      throw new InvalidValueError(`'${pathText}' is ${bytes} bytes long in UTF-8; at most ${INDEXED_VALUE_MAX_BYTES} bytes are allowed, as it is indexed`);
    }
  };
  for (const name of INDEXED_ATTRIBUTES) check(getIgnoringCase(resource, name), name);
  elementsOf(getIgnoringCase(resource, 'emails')).forEach((element, index) => {
    if (isPlainObject(element)) check(getIgnoringCase(element, 'value'), `emails[${index}].value`);
  });
}
