import { CreateTenancy1763900001000 } from './migrations/1763900001000-create-tenancy.js';
import { AddTenantAdministration1763900007000 } from './migrations/1763900007000-add-tenant-administration.js';
import { AddTenantSettings1763900010000 } from './migrations/1763900010000-add-tenant-settings.js';

export const TENANCY_MIGRATIONS = [CreateTenancy1763900001000, AddTenantAdministration1763900007000, AddTenantSettings1763900010000];
