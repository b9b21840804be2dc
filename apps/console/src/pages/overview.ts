import { h } from '../dom.js';
import { formatCount, formatTime } from '../format.js';
import type { Page } from '../page.js';
import { hrefOf } from '../routes.js';
import { badge, errorBox, table } from '../ui.js';

interface Tenant {
  readonly id: string;
  readonly displayName: string | null;
  readonly status: 'active' | 'disabled';
  readonly createdAt: string;
}

interface ProjectionLag {
  readonly projection: string;
  readonly eventsBehind?: number;
  readonly eventsBehindCapped?: boolean;
  readonly secondsBehind?: number;
  readonly error?: string;
}

interface Overview {
  readonly since: string;
  readonly projections: readonly ProjectionLag[];
  readonly requestsLastHour: readonly { tenantId: string; total: number; success: number; clientErrors: number; serverErrors: number }[];
  readonly tenantsCounted: number;
  readonly tenantsTotal: number;
}

interface Ready {
  readonly status: string;
  readonly reasons?: readonly string[];
}

/** Tenants, health and readiness, projection lag, and each tenant's last hour of requests. */
export const overviewPage: Page<{ name: 'overview' }> = async ({ api }) => {
  const [tenants, overview, health, ready] = await Promise.all([
    api.get<{ tenants: Tenant[] }>('/tenants'),
    api.get<Overview>('/overview'),
    api.probe<{ status: string; node?: string }>('/health').catch((error: unknown) => asError(error)),
    api.probe<Ready>('/ready').catch((error: unknown) => asError(error)),
  ]);
  const counts = new Map(overview.requestsLastHour.map((row) => [row.tenantId, row]));

  const healthSection = h(
    'section',
    { 'aria-labelledby': 'health-heading' },
    h('h2', { id: 'health-heading' }, 'Health'),
    h(
      'ul',
      { class: 'checks' },
      h(
        'li',
        null,
        'Gateway: ',
        health instanceof Error ? errorBox(health) : health.status === 200 ? badge('alive', 'ok') : badge(`not answering (${health.status})`, 'bad'),
        health instanceof Error || !health.body.node ? null : ` on Node.js ${health.body.node}`,
      ),
      h(
        'li',
        null,
        'Readiness: ',
        ready instanceof Error
          ? errorBox(ready)
          : ready.status === 200
            ? badge('ready', 'ok')
            : [badge('not ready', 'bad'), h('ul', null, (ready.body.reasons ?? []).map((reason) => h('li', null, reason)))],
      ),
    ),
  );

  const lagSection = h(
    'section',
    { 'aria-labelledby': 'lag-heading' },
    h('h2', { id: 'lag-heading' }, 'Projection lag'),
    table(
      'Projections and how far behind the event store they are',
      ['Projection', 'Events behind', 'Oldest unapplied event', 'State'],
      overview.projections.map((lag) =>
        lag.error !== undefined
          ? [lag.projection, '—', '—', badge(`cannot measure: ${lag.error}`, 'bad')]
          : [
              lag.projection === 'read-model' ? 'read model (SCIM reads)' : lag.projection === 'kafka' ? 'Kafka (CloudEvents)' : lag.projection,
              `${formatCount(lag.eventsBehind ?? 0)}${lag.eventsBehindCapped ? ' or more' : ''}`,
              lag.secondsBehind ? `${lag.secondsBehind.toFixed(1)} s ago` : '—',
              (lag.eventsBehind ?? 0) === 0 ? badge('caught up', 'ok') : badge('catching up', 'warn'),
            ],
      ),
    ),
    overview.projections.some((lag) => lag.projection === 'kafka')
      ? null
      : h('p', { class: 'hint' }, 'No Kafka projection runs in this gateway (KAFKA_BROKERS unset, or PROJECTIONS=external: see the projector’s /metrics).'),
  );

  const tenantsSection = h(
    'section',
    { 'aria-labelledby': 'tenants-heading' },
    h('h2', { id: 'tenants-heading' }, 'Tenants'),
    h('p', null, `Requests since ${formatTime(overview.since)} (the last hour), from the provisioning log.`),
    table(
      'Tenants with their requests in the last hour',
      ['Tenant', 'Status', 'Requests', '2xx success', '4xx client errors', '5xx server errors', 'Log'],
      tenants.tenants.map((tenant) => {
        const row = counts.get(tenant.id);
        return [
          h('a', { href: hrefOf({ name: 'tenant', tenantId: tenant.id }) }, tenant.displayName ? `${tenant.displayName} (${tenant.id})` : tenant.id),
          tenant.status === 'active' ? badge('active', 'ok') : badge('disabled', 'bad'),
          row ? formatCount(row.total) : 'not counted',
          row ? formatCount(row.success) : '—',
          row ? formatCount(row.clientErrors) : '—',
          row ? formatCount(row.serverErrors) : '—',
          h('a', { href: hrefOf({ name: 'log', tenantId: tenant.id }), 'aria-label': `Provisioning log of ${tenant.id}` }, 'Provisioning log'),
        ];
      }),
      'No tenants yet.',
    ),
    overview.tenantsCounted < overview.tenantsTotal
      ? h('p', { class: 'hint' }, `Requests are counted for the first ${overview.tenantsCounted} of ${overview.tenantsTotal} tenants; open a tenant’s provisioning log for the others.`)
      : null,
    h('p', null, h('a', { href: hrefOf({ name: 'tenants' }) }, 'Create a tenant')),
  );

  return { title: 'Overview', body: h('div', null, healthSection, lagSection, tenantsSection) };
};

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
