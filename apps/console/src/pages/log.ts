import { ApiError } from '../api.js';
import { formatTime } from '../format.js';
import { h, uid, type Child } from '../dom.js';
import { apiQueryOf, conflictOf, filtersOf, RESOURCE_TYPE_CHOICES, STATUS_CHOICES, statusPhrase, statusTone } from '../log-query.js';
import type { Page, PageContext } from '../page.js';
import { hrefOf, type Route } from '../routes.js';
import { isoFromLocalInput, localInputValue, zoneLabel } from '../times.js';
import { badge, errorBox, facts, field, table } from '../ui.js';

/** An entry as the admin API returns it (docs/provisioning-log.md "What an entry holds"). */
interface LogEntry {
  readonly id: string;
  readonly at: string;
  readonly tenantId: string | null;
  readonly tokenId: string | null;
  readonly requestId: string | null;
  readonly method: string;
  readonly path: string;
  readonly query: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly status: number;
  readonly durationMs: number;
  readonly scimType: string | null;
  readonly detail: string | null;
  readonly eventIds: readonly string[];
  readonly dryRun: boolean;
  readonly skippedMemberIds: readonly string[];
  readonly skippedMemberCount: number;
}

interface LogPage {
  readonly entries: readonly LogEntry[];
  readonly nextCursor: string | null;
}

type LogRoute = Extract<Route, { name: 'log' }>;

/** The tenant's SCIM requests, newest first, filtered from the URL's query; or the requests that never authenticated. */
export const logPage: Page<LogRoute> = async (context) => {
  const { api, route, query } = context;
  const unauthenticated = query.get('unauthenticated') === '1';
  const filters = filtersOf(query);
  const form = filterForm(context, unauthenticated);
  let results: Node;
  try {
    const page = await api.get<LogPage>(
      unauthenticated ? '/provisioning-log/unauthenticated' : `/tenants/${encodeURIComponent(route.tenantId)}/provisioning-log`,
      apiQueryOf(query),
    );
    results = entriesView(route, page, filters, unauthenticated, query.get('cursor') !== null);
  } catch (error) {
    results = errorBox(error, error instanceof ApiError && error.status === 400 ? 'The gateway did not accept these filters' : 'Cannot read the provisioning log');
  }
  return {
    title: unauthenticated ? 'Unauthenticated requests' : `Provisioning log of ${route.tenantId}`,
    body: h(
      'div',
      null,
      h(
        'p',
        null,
        unauthenticated
          ? 'Requests refused before they reached a tenant (no token, or a wrong, revoked or expired one), from every client of the gateway. '
          : 'Every request this tenant’s SCIM clients sent, as the gateway answered it. ',
        'Entries appear about a quarter of a second after their response. See docs/provisioning-log.md.',
      ),
      form,
      h('section', { 'aria-labelledby': 'entries-heading' }, h('h2', { id: 'entries-heading' }, 'Entries'), results),
    ),
  };
};

function filterForm({ route, query, navigate }: PageContext<LogRoute>, unauthenticated: boolean): HTMLFormElement {
  const zone = zoneLabel(new Date(), Intl.DateTimeFormat().resolvedOptions().timeZone);
  const status = query.get('status') ?? '';
  const preset = STATUS_CHOICES.some(([value]) => value === status);

  const statusSelect = h('select', { name: 'status' }, STATUS_CHOICES.map(([value, label]) => h('option', { value, selected: preset && value === status }, label)));
  const exactStatus = h('input', { type: 'text', name: 'exactStatus', inputmode: 'numeric', size: 8, value: preset ? '' : status, autocomplete: 'off' });
  const typeSelect = h(
    'select',
    { name: 'resourceType' },
    h('option', { value: '' }, 'Any'),
    RESOURCE_TYPE_CHOICES.map((type) => h('option', { value: type, selected: query.get('resourceType') === type }, type)),
  );
  const resourceId = h('input', { type: 'text', name: 'resourceId', value: query.get('resourceId') ?? '', autocomplete: 'off', spellcheck: 'false' });
  const since = h('input', { type: 'datetime-local', name: 'since', step: 1, value: localInputValue(query.get('since')) });
  const until = h('input', { type: 'datetime-local', name: 'until', step: 1, value: localInputValue(query.get('until')) });
  const mode = h(
    'select',
    { name: 'dryRun' },
    h('option', { value: '', selected: !query.get('dryRun') }, 'Both'),
    h('option', { value: 'false', selected: query.get('dryRun') === 'false' }, 'Live only'),
    h('option', { value: 'true', selected: query.get('dryRun') === 'true' }, 'Dry runs only'),
  );
  const source = h(
    'select',
    { name: 'unauthenticated' },
    h('option', { value: '', selected: !unauthenticated }, `Tenant ${route.tenantId}`),
    h('option', { value: '1', selected: unauthenticated }, 'Unauthenticated requests (any tenant)'),
  );

  const group = (legend: string, ...fields: HTMLElement[]) => h('fieldset', null, h('legend', null, legend), fields);
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter the provisioning log',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const exact = exactStatus.value.trim();
        // Times the browser cannot read stay as typed, so the API's 400 names them rather than the filter vanishing.
        const time = (input: HTMLInputElement) => (input.value === '' ? undefined : (isoFromLocalInput(input.value) ?? input.value));
        navigate(
          hrefOf(route, {
            unauthenticated: source.value === '1' ? '1' : undefined,
            status: exact !== '' ? exact : statusSelect.value,
            resourceType: typeSelect.value,
            resourceId: resourceId.value.trim(),
            since: time(since),
            until: time(until),
            dryRun: mode.value,
          }),
        );
      },
    },
    group('Source', field('Requests of', source), field('Live or dry run', mode)),
    group('Answer', field('Status', statusSelect), field('Or an exact status', exactStatus, 'e.g. 401 or 429: replaces the choice')),
    group('Resource', field('Resource type', typeSelect), field('Resource id', resourceId, 'as in the path, or the id a 201 created')),
    group(`Time range, in your browser’s time zone: ${zone}`, field('Since (inclusive)', since), field('Until (exclusive)', until)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show entries'), h('a', { href: hrefOf(route) }, 'Clear the filters')),
  );
  return form;
}

function entriesView(route: LogRoute, page: LogPage, filters: Partial<Record<string, string>>, unauthenticated: boolean, paging: boolean): Node {
  const tenantId = route.tenantId;
  const keep = { ...filters, unauthenticated: unauthenticated ? '1' : undefined };
  const described = Object.entries(filters).map(([name, value]) => `${name} ${value}`);
  const rows = page.entries.map((entry): Child[] => [
    unauthenticated ? formatTime(entry.at, 'milliseconds') : h('a', { href: hrefOf({ name: 'log-entry', tenantId, entryId: entry.id }) }, formatTime(entry.at, 'milliseconds')),
    entry.method,
    h('code', null, entry.query ? `${entry.path}?${entry.query}` : entry.path),
    badge(statusPhrase(entry.status), statusTone(entry.status)),
    entry.scimType ?? '—',
    unauthenticated ? (entry.detail ?? '—') : resourceCell(tenantId, entry),
    `${entry.durationMs} ms`,
    entry.dryRun ? badge('dry run', 'neutral') : 'live',
  ]);
  return h(
    'div',
    null,
    h('p', null, described.length > 0 ? `Filters: ${described.join(', ')}.` : 'No filters: every entry.', paging ? ' Older page.' : ''),
    table(
      unauthenticated ? 'Unauthenticated requests, newest first' : `Requests of tenant ${tenantId}, newest first (open an entry by its time)`,
      ['Time', 'Method', 'Path', 'Status', 'scimType', unauthenticated ? 'Detail' : 'Resource', 'Duration', 'Mode'],
      rows,
      paging ? 'No older entries match.' : 'No entries match these filters.',
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Log pages' },
      paging ? h('a', { href: hrefOf(route, keep) }, 'Newest entries') : null,
      page.nextCursor ? h('a', { href: hrefOf(route, { ...keep, cursor: page.nextCursor }), rel: 'next' }, 'Older entries') : h('p', null, 'No older entries.'),
    ),
  );
}

/** The entry could not be read (404: unknown, deleted by retention, another tenant's; 400: not an id). */
class EntryError {
  constructor(readonly cause: unknown) {}
}

function resourceCell(tenantId: string, entry: LogEntry): Child {
  if (entry.resourceType === null) return '—';
  const target = resourceRoute(tenantId, entry);
  if (!target || entry.dryRun) return entry.resourceId ? [entry.resourceType, ' ', h('code', null, entry.resourceId)] : entry.resourceType;
  return [entry.resourceType, ' ', h('a', { href: hrefOf(target) }, entry.resourceId)];
}

function resourceRoute(tenantId: string, entry: LogEntry): Route | null {
  if (entry.resourceId === null) return null;
  if (entry.resourceType === 'User') return { name: 'user', tenantId, id: entry.resourceId };
  if (entry.resourceType === 'Group') return { name: 'group', tenantId, id: entry.resourceId };
  return null;
}

/** Everything the log keeps of one request, and the ways from it to the resource and its history. */
export const logEntryPage: Page<Extract<Route, { name: 'log-entry' }>> = async ({ api, route }) => {
  const { tenantId, entryId } = route;
  const [entry, tokens] = await Promise.all([
    api.get<LogEntry>(`/tenants/${encodeURIComponent(tenantId)}/provisioning-log/${encodeURIComponent(entryId)}`).catch((error: unknown) => new EntryError(error)),
    // The token's label is a help, not a need: without the list the id stands alone.
    api.get<{ tokens: { id: string; label: string }[] }>(`/tenants/${encodeURIComponent(tenantId)}/tokens`).catch(() => ({ tokens: [] })),
  ]);
  if (entry instanceof EntryError) {
    return {
      title: `Entry ${entryId}`,
      body: h(
        'div',
        null,
        errorBox(entry.cause, 'Cannot show this entry'),
        h('p', null, 'Entries older than the retention period (PROVISIONING_LOG_RETENTION_DAYS, 30 days unless set) are deleted. ', h('a', { href: hrefOf({ name: 'log', tenantId }) }, 'Back to the provisioning log')),
      ),
    };
  }
  const tokenLabel = tokens.tokens.find((token) => token.id === entry.tokenId)?.label;
  const code = (value: string | null) => (value === null ? '—' : h('code', null, value));
  const target = resourceRoute(tenantId, entry);
  const resourceType = entry.resourceType === 'User' ? 'Users' : entry.resourceType === 'Group' ? 'Groups' : null;
  const noun = entry.resourceType === 'Group' ? 'group' : 'user';
  const conflict = entry.status === 409 ? conflictOf(entry.detail) : null;

  const links: Child[] = [];
  if (target && resourceType && entry.resourceId !== null) {
    if (entry.dryRun) {
      links.push(h('p', null, 'A dry run stores nothing: this request changed no resource, and no history records it.'));
    } else {
      links.push(
        h(
          'ul',
          null,
          h('li', null, h('a', { href: hrefOf(target) }, `The ${noun} ${entry.resourceId}`)),
          h('li', null, h('a', { href: hrefOf({ name: 'history', tenantId, resourceType, id: entry.resourceId }) }, `History of this ${noun}`)),
          h('li', null, h('a', { href: hrefOf({ name: 'log', tenantId }, { resourceType: entry.resourceType ?? undefined, resourceId: entry.resourceId }) }, `Every request for this ${noun}`)),
        ),
      );
    }
  } else if (conflict) {
    const list = conflict.attribute === 'displayName' || entry.resourceType === 'Group' ? 'groups' : 'users';
    links.push(
      h(
        'p',
        null,
        `The request was refused because another resource already holds ${conflict.attribute} ${JSON.stringify(conflict.value)}. `,
        h('a', { href: hrefOf({ name: list, tenantId }, { filter: `${conflict.attribute} eq ${JSON.stringify(conflict.value)}` }) }, `Find the ${list === 'groups' ? 'group' : 'user'} that holds it`),
        ', then open its history.',
      ),
    );
  } else {
    links.push(h('p', null, 'This request names no single user or group (a list, a search, a bulk request, or a refusal before one was known).'));
  }

  const eventsId = uid('events');
  return {
    title: `${entry.method} ${entry.path}`,
    body: h(
      'div',
      null,
      facts([
        ['Entry', entry.id],
        ['Time', formatTime(entry.at, 'milliseconds')],
        ['Method', entry.method],
        ['Path', code(entry.path)],
        ['Query string', code(entry.query)],
        ['Status', badge(statusPhrase(entry.status), statusTone(entry.status))],
        ['scimType', entry.scimType ?? '—'],
        ['Detail', entry.detail ?? '—'],
        ['Duration', `${entry.durationMs} ms`],
        ['Resource', entry.resourceType === null ? '—' : [entry.resourceType, entry.resourceId ? [' ', code(entry.resourceId)] : '']],
        ['Mode', entry.dryRun ? badge('dry run: decided in full, nothing stored', 'neutral') : 'live'],
        [
          'SCIM token',
          entry.tokenId === null
            ? 'none (the request did not authenticate)'
            : [tokenLabel === undefined ? '' : `“${tokenLabel}” `, code(entry.tokenId), ' (', h('a', { href: hrefOf({ name: 'tenant', tenantId }) }, 'the tenant’s tokens'), ')'],
        ],
        ['Request id', code(entry.requestId)],
      ]),
      h('section', { 'aria-labelledby': 'to-resource' }, h('h2', { id: 'to-resource' }, 'The resource'), links),
      h(
        'section',
        { 'aria-labelledby': eventsId },
        h('h2', { id: eventsId }, entry.dryRun ? 'Events it would have appended' : 'Events it appended'),
        entry.eventIds.length === 0
          ? h('p', { class: 'empty' }, 'None: a read, or a refusal.')
          : [h('ol', null, entry.eventIds.map((id) => h('li', null, h('code', null, id)))), h('p', { class: 'hint' }, 'The resource’s history lists each event by this id, with who, when, from where and what changed.')],
      ),
      entry.skippedMemberCount > 0
        ? h(
            'section',
            { 'aria-labelledby': 'skipped-heading' },
            h('h2', { id: 'skipped-heading' }, `Skipped members (${entry.skippedMemberCount})`),
            h('p', null, 'Member ids the request offered that name no user or group of the tenant, left out under the tenant’s unknown-members policy “skip”', entry.skippedMemberCount > entry.skippedMemberIds.length ? ` (the first ${entry.skippedMemberIds.length} are listed)` : '', ':'),
            h('ul', null, entry.skippedMemberIds.map((id) => h('li', null, h('code', null, id)))),
          )
        : null,
      h(
        'section',
        { 'aria-labelledby': 'bodies-heading' },
        h('h2', { id: 'bodies-heading' }, 'Request and response bodies'),
        h(
          'p',
          null,
          'The provisioning log keeps no request or response bodies, and no header values: only what is listed above. ',
          'What a request changed is in the events it appended (the resource’s history shows each change as a diff); ',
          'what the gateway answered a refused request is its status, scimType and detail.',
        ),
      ),
      h('p', null, h('a', { href: hrefOf({ name: 'log', tenantId }) }, 'Back to the provisioning log')),
    ),
  };
};
