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
 *  - at most one element of a multi-valued attribute has `primary: true` (RFC 7643 §2.4).
 * Violations are invalidValue naming the attribute.
 */
export function assertResourceInvariants(resource: JsonObject, registry: SchemaRegistry, resourceType: ResourceTypeName): void {
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
