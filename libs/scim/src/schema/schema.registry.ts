import type { AttributePath } from '../filter/filter.ast.js';
import { findSubAttribute, type AttributeDefinition } from './attribute-definition.js';
import { COMMON_ATTRIBUTES, EXTERNAL_ID_ATTRIBUTE } from './common-attributes.js';
import { ENTERPRISE_USER_SCHEMA } from './enterprise-user.schema.js';
import { GROUP_SCHEMA } from './group.schema.js';
import { RESOURCE_TYPES, type ResourceTypeDefinition, type ResourceTypeName } from './resource-type.js';
import { defineSchema, type SchemaDefinition, type SchemaDefinitionInput } from './schema.definition.js';
import { USER_SCHEMA } from './user.schema.js';

/** A schema extension of a resource type (RFC 7643 §6 `schemaExtensions`), given as configuration. */
export interface SchemaExtensionRegistration {
  readonly resourceType: ResourceTypeName;
  /** Characteristics left out take the RFC 7643 §2.2 defaults. */
  readonly schema: SchemaDefinitionInput;
  /** Whether every resource of the type must carry this extension (RFC 7643 §6). */
  readonly required?: boolean;
}

/** Where an attribute path points: the schema that defines it, and the definitions along the path. */
export interface ResolvedAttribute {
  /** The defining schema's URN; the core schema's URN for common attributes (id, externalId, meta, schemas). */
  readonly schemaId: string;
  /** True when the attribute lives under `resource[schemaId]` (RFC 7643 §3.3), false when at the top level. */
  readonly inExtension: boolean;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
  /** The definition the path ends at: the sub-attribute when there is one, else the attribute. */
  readonly definition: AttributeDefinition;
}

/**
 * Whether a tenant keeps externalId unique. RFC 7643 §3.1: "the service provider does not enforce uniqueness" of
 * it, so `none` is the default; a tenant whose client matches on it may turn it on (docs/admin.md).
 */
export type ExternalIdUniqueness = 'none' | 'server';

export interface SchemaRegistryOptions {
  readonly externalIdUniqueness?: ExternalIdUniqueness;
}

interface RegisteredExtension {
  readonly schema: SchemaDefinition;
  readonly required: boolean;
}

/** The extensions every deployment has: RFC 7643 §4.3 extends User. */
const BUILT_IN_EXTENSIONS: readonly SchemaExtensionRegistration[] = [
  { resourceType: 'User', schema: ENTERPRISE_USER_SCHEMA },
];

const CORE_SCHEMAS: Readonly<Record<ResourceTypeName, SchemaDefinition>> = { User: USER_SCHEMA, Group: GROUP_SCHEMA };

/**
 * The schemas of each resource type: the core schema plus its extensions, the built-in EnterpriseUser and
 * custom ones from configuration (e.g. `urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:User`),
 * all treated alike. Names and URNs are looked up case-insensitively (RFC 7643 §2.1, RFC 7644 §3.10).
 */
export class SchemaRegistry {
  private readonly extensionsByType: Readonly<Record<ResourceTypeName, readonly RegisteredExtension[]>>;
  private readonly commonAttributes: readonly AttributeDefinition[];
  readonly externalIdUniqueness: ExternalIdUniqueness;

  constructor(
    private readonly customExtensions: readonly SchemaExtensionRegistration[] = [],
    options: SchemaRegistryOptions = {},
  ) {
    this.externalIdUniqueness = options.externalIdUniqueness ?? 'none';
    const externalId: AttributeDefinition = { ...EXTERNAL_ID_ATTRIBUTE, uniqueness: this.externalIdUniqueness };
    this.commonAttributes = COMMON_ATTRIBUTES.map((attribute) => (attribute === EXTERNAL_ID_ATTRIBUTE ? externalId : attribute));
    const extensionsByType: Record<ResourceTypeName, RegisteredExtension[]> = { User: [], Group: [] };
    for (const registration of [...BUILT_IN_EXTENSIONS, ...customExtensions]) {
      const schema = defineSchema(registration.schema);
      const known = [CORE_SCHEMAS[registration.resourceType], ...extensionsByType[registration.resourceType].map((e) => e.schema)];
      if (known.some((other) => sameUrn(other.id, schema.id))) {
        // A configuration mistake, reported at boot; not a client error.
        throw new Error(`schema ${schema.id} is registered twice for ${registration.resourceType}`);
      }
      extensionsByType[registration.resourceType].push({ schema, required: registration.required ?? false });
    }
    this.extensionsByType = extensionsByType;
  }

  /**
   * This registry plus more custom extensions (a tenant's own schemas on top of the deployment's). Throws, like
   * the constructor, when a URN would be registered twice for a resource type.
   */
  withExtensions(more: readonly SchemaExtensionRegistration[]): SchemaRegistry {
    return more.length === 0 ? this : new SchemaRegistry([...this.customExtensions, ...more], { externalIdUniqueness: this.externalIdUniqueness });
  }

  /** This registry with externalId's `uniqueness` set as a tenant chose (the write side reserves what it says). */
  withExternalIdUniqueness(externalIdUniqueness: ExternalIdUniqueness): SchemaRegistry {
    return externalIdUniqueness === this.externalIdUniqueness ? this : new SchemaRegistry(this.customExtensions, { externalIdUniqueness });
  }

  resourceType(resourceType: ResourceTypeName): ResourceTypeDefinition {
    return RESOURCE_TYPES[resourceType];
  }

  coreSchema(resourceType: ResourceTypeName): SchemaDefinition {
    return CORE_SCHEMAS[resourceType];
  }

  extensionSchemas(resourceType: ResourceTypeName): readonly SchemaDefinition[] {
    return this.extensionsByType[resourceType].map((extension) => extension.schema);
  }

  /**
   * The schemas `GET /Schemas` serves (RFC 7644 §4): the core schema first, then the extensions in registration
   * order. The core schema lists `externalId` too, as RFC 7643 §3.1 allows ("some existing schema definitions MAY
   * list common attributes"), so a client can read whether this tenant keeps it unique.
   */
  schemasOf(resourceType: ResourceTypeName): readonly SchemaDefinition[] {
    const core = this.coreSchema(resourceType);
    const externalId = this.commonAttributes.find((attribute) => attribute.name === EXTERNAL_ID_ATTRIBUTE.name)!;
    return [{ ...core, attributes: [externalId, ...core.attributes] }, ...this.extensionSchemas(resourceType)];
  }

  /** Every distinct schema of every resource type, for `GET /Schemas` (RFC 7644 §4). */
  allSchemas(): readonly SchemaDefinition[] {
    const seen = new Map<string, SchemaDefinition>();
    for (const resourceType of Object.keys(CORE_SCHEMAS) as ResourceTypeName[]) {
      for (const schema of this.schemasOf(resourceType)) {
        if (!seen.has(schema.id.toLowerCase())) seen.set(schema.id.toLowerCase(), schema);
      }
    }
    return [...seen.values()];
  }

  findSchema(schemaId: string): SchemaDefinition | undefined {
    return this.allSchemas().find((schema) => sameUrn(schema.id, schemaId));
  }

  /** The extension schema of this resource type with this URN, compared case-insensitively. */
  findExtension(resourceType: ResourceTypeName, urn: string): SchemaDefinition | undefined {
    return this.extensionSchemas(resourceType).find((schema) => sameUrn(schema.id, urn));
  }

  isExtensionRequired(resourceType: ResourceTypeName, urn: string): boolean {
    return this.extensionsByType[resourceType].some((extension) => extension.required && sameUrn(extension.schema.id, urn));
  }

  /** Attributes at the top level of the resource JSON: the common ones, then the core schema's. */
  topLevelAttributes(resourceType: ResourceTypeName): readonly AttributeDefinition[] {
    return [...this.commonAttributes, ...this.coreSchema(resourceType).attributes];
  }

  /**
   * Resolves `[uri:]attribute[.subAttribute]`. A URN-qualified path is looked up in that schema only (the core
   * schema's URN also reaches the common attributes). An unqualified name is looked up in the common attributes,
   * then the core schema, then each extension in registration order, so `employeeNumber` finds the enterprise
   * extension's attribute (RFC 7644 §3.10 lets clients omit the URN when the name is unambiguous).
   */
  findAttribute(resourceType: ResourceTypeName, path: AttributePath): ResolvedAttribute | undefined {
    const core = this.coreSchema(resourceType);
    const candidates: { schemaId: string; inExtension: boolean; attributes: readonly AttributeDefinition[] }[] = [];
    if (path.uri === undefined || sameUrn(path.uri, core.id)) {
      candidates.push({ schemaId: core.id, inExtension: false, attributes: this.topLevelAttributes(resourceType) });
    }
    for (const extension of this.extensionSchemas(resourceType)) {
      if (path.uri === undefined || sameUrn(path.uri, extension.id)) {
        candidates.push({ schemaId: extension.id, inExtension: true, attributes: extension.attributes });
      }
    }
    const wanted = path.attribute.toLowerCase();
    for (const candidate of candidates) {
      const attribute = candidate.attributes.find((definition) => definition.name.toLowerCase() === wanted);
      if (!attribute) continue;
      if (path.subAttribute === undefined) {
        return { schemaId: candidate.schemaId, inExtension: candidate.inExtension, attribute, definition: attribute };
      }
      const subAttribute = findSubAttribute(attribute, path.subAttribute);
      if (!subAttribute) return undefined;
      return { schemaId: candidate.schemaId, inExtension: candidate.inExtension, attribute, subAttribute, definition: subAttribute };
    }
    return undefined;
  }
}

/** Schema URNs compare case-insensitively, as RFC 7644 §3.10 treats attribute names with their URN prefix. */
export function sameUrn(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}
