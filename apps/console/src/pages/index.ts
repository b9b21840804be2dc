import type { Page } from '../page.js';
import type { Route, RouteName } from '../routes.js';
import { adminTokensPage } from './admin-tokens.js';
import { auditPage } from './audit.js';
import { groupPage, groupsPage } from './groups.js';
import { historyPage } from './history.js';
import { logEntryPage, logPage } from './log.js';
import { notFoundPage } from './not-found.js';
import { overviewPage } from './overview.js';
import { schemasPage } from './schemas.js';
import { tenantPage } from './tenant.js';
import { tenantsPage } from './tenants.js';
import { userPage, usersPage } from './users.js';

/** Every route's page (sign-in is drawn by main.ts before a session exists). The compiler checks none is missing. */
export const PAGES: { readonly [N in Exclude<RouteName, 'sign-in'>]: Page<Extract<Route, { name: N }>> } = {
  overview: overviewPage,
  tenants: tenantsPage,
  tenant: tenantPage,
  log: logPage,
  'log-entry': logEntryPage,
  users: usersPage,
  user: userPage,
  groups: groupsPage,
  group: groupPage,
  history: historyPage,
  audit: auditPage,
  schemas: schemasPage,
  'admin-tokens': adminTokensPage,
  'not-found': notFoundPage,
};
