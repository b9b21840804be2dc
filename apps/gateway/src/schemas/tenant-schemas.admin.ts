import type { AdminPart } from '../admin/admin.parts.js';
import { TenantSchemasController } from './tenant-schemas.controller.js';

/** The admin API's routes for per-tenant extension schemas (SchemaRegistries itself is a gateway-wide provider). */
export const TENANT_SCHEMAS_ADMIN: AdminPart = { controllers: [TenantSchemasController], providers: [] };
