import { CreateAdminTokens1763900004000 } from './admin/migrations/1763900004000-create-admin-tokens.js';
import { CreateConsoleSessions1765100000000 } from './console/migrations/1765100000000-create-console-sessions.js';
import { PROVISIONING_LOG_MIGRATIONS } from './provisioning-log/provisioning-log.tables.js';
import { TENANT_SCHEMAS_MIGRATIONS } from './schemas/tenant-schemas.tables.js';
import { TENANCY_MIGRATIONS } from './tenancy/tenancy.tables.js';

/** The gateway's own tables, next to the read model's: tenants and tokens, admin tokens, the provisioning log, tenant schemas, console sessions. */
export const GATEWAY_MIGRATIONS = [...TENANCY_MIGRATIONS, CreateAdminTokens1763900004000, ...PROVISIONING_LOG_MIGRATIONS, ...TENANT_SCHEMAS_MIGRATIONS, CreateConsoleSessions1765100000000];
