import { h } from '../dom.js';
import type { Page } from '../page.js';
import type { Route } from '../routes.js';

// PLACEHOLDER: replaced by the page's real implementation before issue 15 is closed.
export const adminTokensPage: Page<Extract<Route, { name: 'admin-tokens' }>> = async () => ({ title: 'Not built yet', body: h('p', null, 'This page is being built.') });
