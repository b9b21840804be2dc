import { h } from '../dom.js';
import type { Page } from '../page.js';
import type { Route } from '../routes.js';

// PLACEHOLDER: replaced by the page's real implementation before issue 15 is closed.
export const schemasPage: Page<Extract<Route, { name: 'schemas' }>> = async () => ({ title: 'Not built yet', body: h('p', null, 'This page is being built.') });
