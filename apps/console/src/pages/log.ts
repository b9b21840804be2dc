import { h } from '../dom.js';
import type { Page } from '../page.js';
import type { Route } from '../routes.js';

// PLACEHOLDER: replaced by the page's real implementation before issue 15 is closed.
export const logPage: Page<Extract<Route, { name: 'log' }>> = async () => ({ title: 'Not built yet', body: h('p', null, 'This page is being built.') });
// PLACEHOLDER: replaced by the page's real implementation before issue 15 is closed.
export const logEntryPage: Page<Extract<Route, { name: 'log-entry' }>> = async () => ({ title: 'Not built yet', body: h('p', null, 'This page is being built.') });
