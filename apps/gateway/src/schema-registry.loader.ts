import { readFile } from 'node:fs/promises';
import { ConfigError, type GatewayConfig } from '#config/gateway.config.js';
import { SchemaRegistry, type SchemaExtensionRegistration } from '#scim/schema/schema.registry.js';

export const SCHEMA_REGISTRY = Symbol('SchemaRegistry');

/**
 * The core schemas plus the custom extension schemas of SCIM_EXTENSIONS_FILE (e.g. the seeds' Interact
 * extension `urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:User`). A bad file stops the start.
 */
export async function loadSchemaRegistry(config: Pick<GatewayConfig, 'extensionsFile'>): Promise<SchemaRegistry> {
  if (!config.extensionsFile) return new SchemaRegistry();
  let registrations: SchemaExtensionRegistration[];
  try {
    registrations = JSON.parse(await readFile(config.extensionsFile, 'utf8')) as SchemaExtensionRegistration[];
  } catch (error) {
    throw new ConfigError([`SCIM_EXTENSIONS_FILE="${config.extensionsFile}" cannot be read as JSON: ${(error as Error).message}`]);
  }
  const problems = extensionRegistrationProblems(registrations, 'SCIM_EXTENSIONS_FILE');
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return new SchemaRegistry(registrations);
  } catch (error) {
    throw new ConfigError([`SCIM_EXTENSIONS_FILE: ${(error as Error).message}`]);
  }
}

/**
 * What is wrong with a list of extension registrations, each problem naming where (`label[index]...`): shared by
 * SCIM_EXTENSIONS_FILE and the per-tenant schemas of the admin API.
 */
export function extensionRegistrationProblems(registrations: unknown, label: string): string[] {
  const problems: string[] = [];
  if (!Array.isArray(registrations)) return [`${label} must hold a JSON array of { resourceType, schema, required? }`];
  registrations.forEach((registration: Partial<SchemaExtensionRegistration> | null, index) => {
    if (registration?.resourceType !== 'User' && registration?.resourceType !== 'Group') {
      problems.push(`${label}[${index}].resourceType must be "User" or "Group"`);
    }
    if (typeof registration?.schema?.id !== 'string' || !registration.schema.id.startsWith('urn:')) {
      problems.push(`${label}[${index}].schema.id must be a URN`);
    }
    if (!Array.isArray(registration?.schema?.attributes)) problems.push(`${label}[${index}].schema.attributes must be an array`);
    else problems.push(...attributeProblems(registration.schema.attributes, `${label}[${index}].schema.attributes`));
    if (registration?.required !== undefined && typeof registration.required !== 'boolean') problems.push(`${label}[${index}].required must be true or false`);
  });
  return problems;
}

const ATTRIBUTE_TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'];
/** RFC 7643 §2.1 ATTRNAME. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function attributeProblems(attributes: readonly unknown[], label: string): string[] {
  return attributes.flatMap((candidate, index) => {
    const attribute = candidate as { name?: unknown; type?: unknown; uniqueness?: unknown; subAttributes?: unknown } | null;
    const where = `${label}[${index}]`;
    const problems: string[] = [];
    if (typeof attribute?.name !== 'string' || !ATTRIBUTE_NAME.test(attribute.name)) problems.push(`${where}.name must be an attribute name (RFC 7643 §2.1: a letter, then letters, digits, "-" or "_")`);
    if (typeof attribute?.type !== 'string' || !ATTRIBUTE_TYPES.includes(attribute.type)) problems.push(`${where}.type must be one of ${ATTRIBUTE_TYPES.join(', ')}`);
    // /Schemas must state only what the write side enforces (docs/decisions.md "Uniqueness comes from the schema"),
    // and it reserves userName, group displayName and externalId only: an extension cannot claim more.
    if (attribute?.uniqueness !== undefined && attribute.uniqueness !== 'none') {
      problems.push(`${where}.uniqueness ${JSON.stringify(attribute.uniqueness)} is not enforced for extension attributes: leave it out or give "none"`);
    }
    if (attribute?.subAttributes !== undefined) {
      if (!Array.isArray(attribute.subAttributes)) problems.push(`${where}.subAttributes must be an array`);
      else problems.push(...attributeProblems(attribute.subAttributes, `${where}.subAttributes`));
    }
    return problems;
  });
}
