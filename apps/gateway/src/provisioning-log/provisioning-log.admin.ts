import type { AdminPart } from '../admin/admin.parts.js';

/** The admin API's routes for the provisioning log. */
export const PROVISIONING_LOG_ADMIN: AdminPart = { controllers: [], providers: [] };
