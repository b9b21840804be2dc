import { ApiError } from '../api.js';
import { activeWords, countOf, emailsOf, listQueryOf, listQueryString, personName, text, type ScimUser } from '../directory.js';
import { filterForm, longPager } from '../directory-ui.js';
import { h } from '../dom.js';
import { formatCount, formatTime } from '../format.js';
import type { Page } from '../page.js';
import { hrefOf, type Route } from '../routes.js';
import { badge, errorBox, facts, json, table } from '../ui.js';

interface UserList {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly Resources: readonly ScimUser[];
}

const directoryPath = (tenantId: string) => `/tenants/${encodeURIComponent(tenantId)}/directory`;

function activeBadge(active: unknown): HTMLElement {
  const words = activeWords(active);
  return badge(words, words === 'active' ? 'ok' : words === 'inactive' ? 'bad' : 'neutral');
}

/** A tenant's users: the SCIM filter box, a page of users, paging (docs/console.md "Directory"). */
export const usersPage: Page<Extract<Route, { name: 'users' }>> = async ({ api, route, query, navigate }) => {
  const { tenantId } = route;
  const list = listQueryOf(query);
  const form = filterForm({
    value: list.filter,
    example: 'userName sw "a"',
    what: 'users',
    clearHref: hrefOf(route),
    onSearch: (filter) => navigate(hrefOf(route, listQueryString({ ...list, filter }, 1))),
  });
  let page: UserList;
  try {
    page = await api.get<UserList>(`${directoryPath(tenantId)}/Users`, { filter: list.filter, startIndex: list.startIndex, count: list.count });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    return { title: 'Users', body: h('div', null, form, errorBox(error, 'The gateway refused this filter')) };
  }
  const hrefFor = (start: number) => hrefOf(route, listQueryString(list, start));
  const rows = page.Resources.map((user) => [
    h('a', { href: hrefOf({ name: 'user', tenantId, id: user.id }) }, text(user.userName) ?? user.id),
    personName(user) ?? text(user.displayName) ?? '—',
    activeBadge(user.active),
    text(user.externalId) ?? '—',
    formatTime(user.meta?.lastModified),
  ]);
  return {
    title: 'Users',
    body: h(
      'div',
      null,
      form,
      h('p', null, list.filter ? `${countOf(page.totalResults, 'user')} ${page.totalResults === 1 ? 'matches' : 'match'} the filter.` : `${countOf(page.totalResults, 'user')} in tenant ${tenantId}.`),
      longPager(list.startIndex, list.count, page.totalResults, hrefFor, 'Pages of users'),
      table(
        `Users of tenant ${tenantId}${list.filter ? ` matching ${list.filter}` : ''}`,
        ['User name', 'Name', 'Active', 'External id', 'Last modified'],
        rows,
        list.filter ? 'No user matches this filter.' : page.totalResults > 0 ? 'No users on this page: go back to the first page.' : 'This tenant has no users yet.',
      ),
      rows.length > 10 ? longPager(list.startIndex, list.count, page.totalResults, hrefFor, 'Pages of users, again') : null,
    ),
  };
};

/** One user as SCIM presents it: facts, its groups, links to its history and provisioning log, and the JSON. */
export const userPage: Page<Extract<Route, { name: 'user' }>> = async ({ api, route }) => {
  const { tenantId, id } = route;
  const user = await api.get<ScimUser & Record<string, unknown>>(`${directoryPath(tenantId)}/Users/${encodeURIComponent(id)}`);
  const groups = user.groups ?? [];
  const emails = emailsOf(user);
  return {
    title: `User ${text(user.userName) ?? id}`,
    body: h(
      'div',
      null,
      h(
        'p',
        { class: 'actions' },
        h('a', { href: hrefOf({ name: 'history', tenantId, resourceType: 'Users', id }) }, 'History of this user'),
        h('a', { href: hrefOf({ name: 'log', tenantId }, { resourceId: id }) }, 'Provisioning log of this user'),
        h('a', { href: hrefOf({ name: 'users', tenantId }) }, 'All users'),
      ),
      facts([
        ['id', h('code', null, id)],
        ['User name', text(user.userName) ?? '—'],
        ['Name', personName(user) ?? '—'],
        ['Display name', text(user.displayName) ?? '—'],
        ['Active', activeBadge(user.active)],
        ['External id', text(user.externalId) ?? '—'],
        ['Emails', emails.length > 0 ? h('ul', null, emails.map((email) => h('li', null, email))) : '—'],
        ['Created', formatTime(user.meta?.created)],
        ['Last modified', formatTime(user.meta?.lastModified)],
        ['Version', user.meta?.version ?? '—'],
      ]),
      h(
        'section',
        { 'aria-labelledby': 'user-groups' },
        h('h2', { id: 'user-groups' }, `Groups (${formatCount(groups.length)})`),
        table(
          'Groups this user is in: directly, or through a group that is a member (indirect)',
          ['Group', 'Membership'],
          groups.map((group) => [
            h('a', { href: hrefOf({ name: 'group', tenantId, id: group.value }) }, group.display ?? group.value),
            group.type === 'indirect' ? 'indirect (through a nested group)' : 'direct',
          ]),
          'This user is in no group.',
        ),
      ),
      h('section', { 'aria-labelledby': 'user-json' }, h('h2', { id: 'user-json' }, 'SCIM representation'), json(user)),
    ),
  };
};
