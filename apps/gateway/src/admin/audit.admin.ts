import type { AdminPart } from './admin.parts.js';

/** The admin API's routes for history, asOf, export and verify. */
export const AUDIT_ADMIN: AdminPart = { controllers: [], providers: [] };
