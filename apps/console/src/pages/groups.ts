import { ApiError } from '../api.js';
import { countOf, groupMembersFilter, listQueryOf, listQueryString, MEMBER_PAGE_SIZE, memberCountWords, text, type ScimGroup } from '../directory.js';
import { filterForm, longPager } from '../directory-ui.js';
import { h } from '../dom.js';
import { formatCount, formatTime, positiveInt } from '../format.js';
import type { Page } from '../page.js';
import { hrefOf, type Route } from '../routes.js';
import { errorBox, facts, field, json, table } from '../ui.js';

interface GroupList {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly Resources: readonly ScimGroup[];
  readonly memberCounts: Readonly<Record<string, { readonly count: number; readonly capped: boolean }>>;
}

interface DirectoryGroup {
  readonly resource: ScimGroup & Record<string, unknown>;
  readonly memberCount: number;
}

interface MemberPage {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly members: readonly { readonly value: string; readonly type: string | null; readonly display: string | null; readonly name: string | null }[];
}

const directoryPath = (tenantId: string) => `/tenants/${encodeURIComponent(tenantId)}/directory`;

/** A tenant's groups: the SCIM filter box, a page of groups with their member counts, paging. */
export const groupsPage: Page<Extract<Route, { name: 'groups' }>> = async ({ api, route, query, navigate }) => {
  const { tenantId } = route;
  const list = listQueryOf(query);
  const form = filterForm({
    value: list.filter,
    example: 'displayName sw "Sales"',
    what: 'groups',
    clearHref: hrefOf(route),
    onSearch: (filter) => navigate(hrefOf(route, listQueryString({ ...list, filter }, 1))),
  });
  let page: GroupList;
  try {
    page = await api.get<GroupList>(`${directoryPath(tenantId)}/Groups`, { filter: list.filter, startIndex: list.startIndex, count: list.count });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    return { title: 'Groups', body: h('div', null, form, errorBox(error, 'The gateway refused this filter')) };
  }
  const hrefFor = (start: number) => hrefOf(route, listQueryString(list, start));
  const rows = page.Resources.map((group) => [
    h('a', { href: hrefOf({ name: 'group', tenantId, id: group.id }) }, text(group.displayName) ?? group.id),
    memberCountWords(page.memberCounts[group.id]),
    text(group.externalId) ?? '—',
    formatTime(group.meta?.lastModified),
  ]);
  return {
    title: 'Groups',
    body: h(
      'div',
      null,
      form,
      h('p', null, list.filter ? `${countOf(page.totalResults, 'group')} ${page.totalResults === 1 ? 'matches' : 'match'} the filter.` : `${countOf(page.totalResults, 'group')} in tenant ${tenantId}.`),
      longPager(list.startIndex, list.count, page.totalResults, hrefFor, 'Pages of groups'),
      table(
        `Groups of tenant ${tenantId}${list.filter ? ` matching ${list.filter}` : ''}`,
        ['Display name', 'Members', 'External id', 'Last modified'],
        rows,
        list.filter ? 'No group matches this filter.' : page.totalResults > 0 ? 'No groups on this page: go back to the first page.' : 'This tenant has no groups yet.',
      ),
      rows.length > 10 ? longPager(list.startIndex, list.count, page.totalResults, hrefFor, 'Pages of groups, again') : null,
    ),
  };
};

/** One group: facts, its member count, its members 50 at a time (a group of 100,000 included), links and JSON. */
export const groupPage: Page<Extract<Route, { name: 'group' }>> = async ({ api, route, query, navigate }) => {
  const { tenantId, id } = route;
  const startIndex = positiveInt(query.get('startIndex'), 1);
  const path = `${directoryPath(tenantId)}/Groups/${encodeURIComponent(id)}`;
  const [group, members] = await Promise.all([
    api.get<DirectoryGroup>(path),
    api.get<MemberPage>(`${path}/members`, { startIndex, count: MEMBER_PAGE_SIZE }),
  ]);
  const { resource } = group;
  const name = text(resource.displayName) ?? id;
  const hrefFor = (start: number) => hrefOf(route, { startIndex: start > 1 ? start : undefined });
  const rows = members.members.map((member) => {
    const target = member.type === 'Group' ? hrefOf({ name: 'group', tenantId, id: member.value }) : hrefOf({ name: 'user', tenantId, id: member.value });
    return [h('a', { href: target }, member.name ?? member.display ?? member.value), member.type ?? 'not recorded', h('code', null, member.value)];
  });
  return {
    title: `Group ${name}`,
    body: h(
      'div',
      null,
      h(
        'p',
        { class: 'actions' },
        h('a', { href: hrefOf({ name: 'history', tenantId, resourceType: 'Groups', id }) }, 'History of this group'),
        h('a', { href: hrefOf({ name: 'log', tenantId }, { resourceId: id }) }, 'Provisioning log of this group'),
        h('a', { href: hrefOf({ name: 'groups', tenantId }) }, 'All groups'),
      ),
      facts([
        ['id', h('code', null, id)],
        ['Display name', name],
        ['External id', text(resource.externalId) ?? '—'],
        ['Members', formatCount(group.memberCount)],
        ['Created', formatTime(resource.meta?.created)],
        ['Last modified', formatTime(resource.meta?.lastModified)],
        ['Version', resource.meta?.version ?? '—'],
      ]),
      h(
        'section',
        { 'aria-labelledby': 'group-members' },
        h('h2', { id: 'group-members' }, 'Members'),
        h('p', { class: 'hint' }, `${MEMBER_PAGE_SIZE} members a page, in member id order. To find a user among them by name, use the search below.`),
        findMemberForm(tenantId, id, navigate),
        longPager(startIndex, MEMBER_PAGE_SIZE, members.totalResults, hrefFor, 'Pages of members'),
        table(
          `Members of ${name}, ${MEMBER_PAGE_SIZE} a page`,
          ['Member', 'Type', 'id'],
          rows,
          members.totalResults > 0 ? 'No members on this page: go back to the first page.' : 'This group has no members.',
        ),
        rows.length > 10 ? longPager(startIndex, MEMBER_PAGE_SIZE, members.totalResults, hrefFor, 'Pages of members, again') : null,
      ),
      h('section', { 'aria-labelledby': 'group-json' }, h('h2', { id: 'group-json' }, 'SCIM representation (without members)'), json(resource)),
    ),
  };
};

/**
 * "Find a member": the users list filtered on this group's direct members and a user name prefix, sorted and
 * paged as any users list (the member page itself is in id order).
 */
function findMemberForm(tenantId: string, groupId: string, navigate: (href: string) => void): HTMLElement {
  const input = h('input', { type: 'text', name: 'member', spellcheck: 'false', autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': 'Find a member of this group', novalidate: true },
    field('User name starts with', input, 'Opens the users list filtered to this group’s direct members, where the filter can be refined.'),
    h('button', { type: 'submit' }, 'Find members'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(hrefOf({ name: 'users', tenantId }, { filter: groupMembersFilter(groupId, input.value) }));
  });
  return form;
}
