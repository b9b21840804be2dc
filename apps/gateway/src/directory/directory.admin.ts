import type { AdminPart } from '../admin/admin.parts.js';
import { DirectoryController } from './directory.controller.js';

/** The admin API's read-only view of a tenant's users and groups (docs/admin.md "Directory"): the queries it reads are the gateway's own. */
export const DIRECTORY_ADMIN: AdminPart = { controllers: [DirectoryController], providers: [] };
