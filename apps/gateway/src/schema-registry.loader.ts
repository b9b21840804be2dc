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
  const problems: string[] = [];
  if (!Array.isArray(registrations)) problems.push('SCIM_EXTENSIONS_FILE must hold a JSON array of { resourceType, schema, required? }');
  else {
    registrations.forEach((registration, index) => {
      if (registration?.resourceType !== 'User' && registration?.resourceType !== 'Group') {
        problems.push(`SCIM_EXTENSIONS_FILE[${index}].resourceType must be "User" or "Group"`);
      }
      if (typeof registration?.schema?.id !== 'string' || !registration.schema.id.startsWith('urn:')) {
        problems.push(`SCIM_EXTENSIONS_FILE[${index}].schema.id must be a URN`);
      }
      if (!Array.isArray(registration?.schema?.attributes)) problems.push(`SCIM_EXTENSIONS_FILE[${index}].schema.attributes must be an array`);
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return new SchemaRegistry(registrations);
  } catch (error) {
    throw new ConfigError([`SCIM_EXTENSIONS_FILE: ${(error as Error).message}`]);
  }
}
