import { ApiError } from '../api.js';
import { describeChange } from '../diff.js';
import { h, type Child } from '../dom.js';
import { formatTime, positiveInt } from '../format.js';
import type { Page, PageContext } from '../page.js';
import { hrefOf, type Route } from '../routes.js';
import { isoFromLocalInput, localInputValue, zoneLabel } from '../times.js';
import { timelineOf, type HistoryEvent, type TimelineItem } from '../timeline.js';
import { errorBox, facts, field, json, pager } from '../ui.js';

type HistoryRoute = Extract<Route, { name: 'history' }>;

interface HistoryResponse {
  readonly tenantId: string;
  readonly resourceType: 'User' | 'Group';
  readonly id: string;
  readonly events: readonly HistoryEvent[];
}

/** Events drawn per page: a group with years of membership changes stays drawable. */
const EVENTS_PER_PAGE = 100;

/** A user's or group's timeline (who, when, from where, what changed) and its state at a chosen time. */
export const historyPage: Page<HistoryRoute> = async (context) => {
  const { api, route, query } = context;
  const { tenantId, resourceType, id } = route;
  const noun = resourceType === 'Users' ? 'user' : 'group';
  const base = `/tenants/${encodeURIComponent(tenantId)}`;
  const asOf = query.get('asOf');

  const [history, asOfView, labels] = await Promise.all([
    api.get<HistoryResponse>(`${base}/history/${resourceType}/${encodeURIComponent(id)}`).catch((error: unknown) => error as Error),
    asOf ? stateAt(context, asOf) : Promise.resolve(null),
    tokenLabels(context),
  ]);
  const title = `History of ${noun} ${id}`;
  if (history instanceof Error) {
    return { title, body: h('div', null, errorBox(history, history instanceof ApiError && history.status === 404 ? 'No history' : 'Cannot read the history')) };
  }

  const timeline = timelineOf(history.events);
  const start = positiveInt(query.get('startIndex'), 1, Math.max(1, timeline.length));
  const shown = timeline.slice(start - 1, start - 1 + EVENTS_PER_PAGE);
  const last = history.events[history.events.length - 1];
  const deleted = last?.type === 'UserDeleted' || last?.type === 'GroupDeleted';

  return {
    title,
    body: h(
      'div',
      null,
      h(
        'p',
        null,
        `Every change stored for this ${noun}, oldest first, read from the event store (never overwritten). `,
        `${history.events.length} event${history.events.length === 1 ? '' : 's'}${deleted ? `; the ${noun} has been deleted` : ''}.`,
      ),
      h(
        'ul',
        null,
        deleted ? null : h('li', null, h('a', { href: hrefOf(resourceType === 'Users' ? { name: 'user', tenantId, id } : { name: 'group', tenantId, id }) }, `The ${noun} now`)),
        h('li', null, h('a', { href: hrefOf({ name: 'log', tenantId }, { resourceType: resourceType === 'Users' ? 'User' : 'Group', resourceId: id }) }, `Every request for this ${noun} in the provisioning log`)),
        h('li', null, h('a', { href: hrefOf({ name: 'audit', tenantId }) }, 'Verify the tenant’s hash chains')),
      ),
      asOfSection(context, noun, asOfView),
      h(
        'section',
        { 'aria-labelledby': 'timeline-heading' },
        h('h2', { id: 'timeline-heading' }, 'Timeline'),
        h('ol', { class: 'timeline', start }, shown.map((item) => eventView(route, item, labels))),
        timeline.length > EVENTS_PER_PAGE
          ? pager(start, EVENTS_PER_PAGE, timeline.length, (next) => hrefOf(route, { startIndex: next, asOf: asOf ?? undefined }), 'Timeline pages')
          : null,
      ),
    ),
  };
};

/** The resource at `asOf`, or the API's refusal (not there yet, deleted by then, a malformed time). */
async function stateAt({ api, route }: PageContext<HistoryRoute>, asOf: string): Promise<{ asOf: string; state: unknown } | { asOf: string; error: unknown }> {
  try {
    const state = await api.get<unknown>(`/tenants/${encodeURIComponent(route.tenantId)}/resources/${route.resourceType}/${encodeURIComponent(route.id)}`, { asOf });
    return { asOf, state };
  } catch (error) {
    return { asOf, error };
  }
}

function asOfSection({ route, navigate }: PageContext<HistoryRoute>, noun: string, view: Awaited<ReturnType<typeof stateAt>> | null): HTMLElement {
  const zone = zoneLabel(view ? new Date(view.asOf) : new Date(), Intl.DateTimeFormat().resolvedOptions().timeZone);
  const input = h('input', { type: 'datetime-local', name: 'asOf', step: 0.001, required: true, value: view ? localInputValue(view.asOf) : '' });
  const form = h(
    'form',
    {
      class: 'inline',
      'aria-label': `The ${noun} at a chosen time`,
      onsubmit: (event: Event) => {
        event.preventDefault();
        // A value the browser cannot read goes to the gateway as typed: its 400 says what an asOf must be.
        navigate(hrefOf(route, { asOf: isoFromLocalInput(input.value) ?? input.value }));
      },
    },
    field('As it was at', input, `Your browser’s time zone: ${zone}. Includes every event recorded at or before that time (to the millisecond).`),
    h('button', { type: 'submit' }, 'Show it'),
  );
  let result: Child = null;
  if (view && 'state' in view) {
    result = h('div', null, h('h3', null, `The ${noun} as it was at ${formatTime(view.asOf, 'milliseconds')}`), json(view.state), h('p', null, h('a', { href: hrefOf(route) }, 'Hide it')));
  } else if (view) {
    const error = view.error;
    result = errorBox(error, error instanceof ApiError && error.status === 404 ? `Not there at ${formatTime(view.asOf, 'milliseconds')}` : 'The gateway refused that time');
  }
  return h('section', { 'aria-labelledby': 'as-of-heading' }, h('h2', { id: 'as-of-heading' }, `The ${noun} at a past time`), form, result);
}

function eventView(route: HistoryRoute, { event, summary, diff }: TimelineItem, labels: TokenLabels): HTMLElement {
  const headingId = `event-${event.eventId}`;
  const code = (value: string | null) => (value === null ? '—' : h('code', null, value));
  return h(
    'li',
    { class: 'timeline-event' },
    h('article', { 'aria-labelledby': headingId }, h('h3', { id: headingId }, `${formatTime(event.recordedAt, 'milliseconds')}: ${event.type}, ${summary}`),
      facts([
        ['Who', who(event.tokenId, labels)],
        ['When', [formatTime(event.recordedAt, 'milliseconds'), ' (recorded; decided at ', formatTime(event.occurredAt, 'milliseconds'), ')']],
        ['From', [event.sourceIp ?? 'address not recorded', event.userAgent ? [', ', h('q', null, event.userAgent)] : '']],
        ['Request id', code(event.requestId)],
        event.correlationId && event.correlationId !== event.requestId ? ['Correlation id', code(event.correlationId)] : null,
        event.traceparent ? ['Trace', code(event.traceparent)] : null,
        ['Revision', `${event.revision} (SCIM version W/"${event.revision}")`],
      ].filter((pair): pair is [string, Child] => pair !== null)),
      h('h4', null, 'What changed'),
      diff.total === 0
        ? h('p', { class: 'empty' }, summary.startsWith('deleted') ? 'It was deleted; this history remains.' : 'No attribute changed.')
        : h(
            'ul',
            { class: 'diff' },
            diff.changes.map((change) => h('li', { class: change.kind }, describeChange(change))),
            diff.total > diff.changes.length ? h('li', null, `… and ${diff.total - diff.changes.length} more changes (the stored event below has them all).`) : null,
          ),
      h('p', null, h('a', { href: hrefOf(route, { asOf: event.recordedAt }) }, `As it was after revision ${event.revision}`)),
      h('details', null, h('summary', null, 'The stored event'), facts([['Event id', code(event.eventId)], ['Position', code(event.position)], ['Hash', code(event.hash)], ['Previous hash', code(event.previousHash)]]), json(event.data)),
    ),
  );
}

/** Token id → label, for the tenant's SCIM tokens and the admin tokens (`admin:<id>` in an event). */
interface TokenLabels {
  readonly scim: ReadonlyMap<string, string>;
  readonly admin: ReadonlyMap<string, string>;
}

/** Labels are a help, not a need: a list the gateway does not give leaves the ids alone. */
async function tokenLabels({ api, route }: PageContext<HistoryRoute>): Promise<TokenLabels> {
  type Listed = { tokens: { id: string; label: string }[] };
  const labelsOf = (listed: Listed | null) => new Map((listed?.tokens ?? []).map((token) => [token.id, token.label]));
  const [scim, admin] = await Promise.all([
    api.get<Listed>(`/tenants/${encodeURIComponent(route.tenantId)}/tokens`).catch(() => null),
    api.get<Listed>('/admin-tokens').catch(() => null),
  ]);
  return { scim: labelsOf(scim), admin: labelsOf(admin) };
}

/** `tokenId` in words: a SCIM token of the tenant, or an admin token (`admin:<id>`, an admin change), with its label. */
function who(tokenId: string | null, labels: TokenLabels): Child {
  if (tokenId === null) return 'not recorded';
  const labelled = (label: string | undefined) => (label === undefined ? '' : `“${label}” `);
  if (tokenId.startsWith('admin:')) {
    const id = tokenId.slice('admin:'.length);
    return ['admin token ', labelled(labels.admin.get(id)), h('code', null, id), ' (a change made through the admin API)'];
  }
  return ['SCIM token ', labelled(labels.scim.get(tokenId)), h('code', null, tokenId)];
}
