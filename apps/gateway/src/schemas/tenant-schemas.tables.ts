import { CreateTenantSchemas1763900006000 } from './migrations/1763900006000-create-tenant-schemas.js';

export const TENANT_SCHEMAS_MIGRATIONS = [CreateTenantSchemas1763900006000];
