import type { AdminPart } from './admin.parts.js';

/** The admin API's routes for tenants and their SCIM tokens, per-tenant schemas. */
export const TENANTS_ADMIN: AdminPart = { controllers: [], providers: [] };
