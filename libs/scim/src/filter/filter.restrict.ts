import type { ResourceTypeName } from '../schema/resource-type.js';
import type { SchemaRegistry } from '../schema/schema.registry.js';
import type { Filter } from './filter.ast.js';

/**
 * A filter as it applies to one resource type in a search across several (RFC 7644 §3.4.3, `POST /.search` at
 * the root): a comparison on an attribute the type does not define matches none of its resources, so it is
 * false, and the logic is simplified around it. `true` means every resource of the type matches, `false` none.
 */
export function restrictFilterToType(filter: Filter, registry: SchemaRegistry, resourceType: ResourceTypeName): Filter | boolean {
  switch (filter.kind) {
    case 'compare':
    case 'present':
    case 'valuePath':
      return registry.findAttribute(resourceType, filter.path) ? filter : false;
    case 'not': {
      const inner = restrictFilterToType(filter.filter, registry, resourceType);
      return typeof inner === 'boolean' ? !inner : { kind: 'not', filter: inner };
    }
    case 'and': {
      const left = restrictFilterToType(filter.left, registry, resourceType);
      const right = restrictFilterToType(filter.right, registry, resourceType);
      if (left === false || right === false) return false;
      if (left === true) return right;
      if (right === true) return left;
      return { kind: 'and', left, right };
    }
    case 'or': {
      const left = restrictFilterToType(filter.left, registry, resourceType);
      const right = restrictFilterToType(filter.right, registry, resourceType);
      if (left === true || right === true) return true;
      if (left === false) return right;
      if (right === false) return left;
      return { kind: 'or', left, right };
    }
  }
}
