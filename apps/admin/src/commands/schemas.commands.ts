import { readFile } from 'node:fs/promises';
import { flagText, requiredPositional, UsageError, type AdminCommand } from '../admin-command.js';

interface TenantSchemaView {
  readonly resourceType: string;
  readonly required: boolean;
  readonly updatedAt: string;
  readonly schema: { readonly id: string; readonly name?: string; readonly attributes: readonly unknown[] };
}

/** `schemas list|put|delete`: a tenant's own extension schemas (docs/admin.md "Tenant schemas"). */
export const SCHEMA_COMMANDS: readonly AdminCommand[] = [
  {
    name: 'schemas list',
    usage: 'schemas list <tenant> [--json]',
    summary: "the tenant's own extension schemas",
    async run(args, client, output) {
      const tenant = requiredPositional(args, 0, 'tenant id');
      const { schemas } = await client.json<{ schemas: TenantSchemaView[] }>('GET', `/tenants/${encodeURIComponent(tenant)}/schemas`);
      if (args.flags.has('json')) return output.out(JSON.stringify(schemas, null, 2));
      if (schemas.length === 0) return output.out(`tenant ${tenant} has no schemas of its own`);
      for (const entry of schemas) {
        output.out(`${entry.resourceType.padEnd(6)} ${entry.schema.id}${entry.required ? ' (required)' : ''}  ${entry.schema.attributes.length} attribute(s), updated ${entry.updatedAt}`);
      }
    },
  },
  {
    name: 'schemas put',
    usage: 'schemas put <tenant> --file <schema.json>',
    summary: 'add or replace one extension schema: { "resourceType": "User", "schema": {...}, "required": false }',
    async run(args, client, output) {
      const tenant = requiredPositional(args, 0, 'tenant id');
      const file = flagText(args, 'file');
      if (!file) throw new UsageError('--file is required');
      let body: unknown;
      try {
        body = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new UsageError(`${file} cannot be read as JSON: ${(error as Error).message}`);
      }
      const stored = await client.json<TenantSchemaView>('PUT', `/tenants/${encodeURIComponent(tenant)}/schemas`, body);
      output.out(`tenant ${tenant} now serves ${stored.resourceType} extension ${stored.schema.id}${stored.required ? ' (required)' : ''}`);
    },
  },
  {
    name: 'schemas delete',
    usage: 'schemas delete <tenant> <User|Group> <schema URN>',
    summary: 'stop serving and validating one extension schema (stored values stay in the history)',
    async run(args, client, output) {
      const tenant = requiredPositional(args, 0, 'tenant id');
      const resourceType = requiredPositional(args, 1, 'resource type (User or Group)');
      const urn = requiredPositional(args, 2, 'schema URN');
      await client.json('DELETE', `/tenants/${encodeURIComponent(tenant)}/schemas/${encodeURIComponent(resourceType)}/${encodeURIComponent(urn)}`);
      output.out(`tenant ${tenant} no longer has ${resourceType} extension ${urn}`);
    },
  },
];
