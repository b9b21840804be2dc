import { h } from '../dom.js';
import type { Page } from '../page.js';
import { CONSOLE_BASE } from '../routes.js';

export const notFoundPage: Page<{ name: 'not-found'; path: string }> = async ({ route }) => ({
  title: 'Page not found',
  body: h('p', null, 'The console has no page at ', h('code', null, route.path), '. ', h('a', { href: CONSOLE_BASE }, 'Go to the overview'), '.'),
});
