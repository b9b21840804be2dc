import type { ProjectionLag } from './projection.lag.js';

/**
 * Projection lag in the Prometheus text exposition format (version 0.0.4), for a /metrics endpoint:
 * one gauge per measure, labelled by projection.
 */
export function formatProjectionLagMetrics(lags: readonly ProjectionLag[]): string {
  const gauge = (name: string, help: string, value: (lag: ProjectionLag) => number): string[] => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...lags.map((lag) => `${name}{projection="${escapeLabel(lag.projection)}"} ${value(lag)}`),
  ];
  return [
    ...gauge('scim_projection_events_behind', 'Events in the log the projection has not applied yet (a lower bound when capped).', (lag) => lag.eventsBehind),
    ...gauge('scim_projection_events_behind_capped', '1 when more events are behind than were counted.', (lag) => (lag.eventsBehindCapped ? 1 : 0)),
    ...gauge('scim_projection_seconds_behind', 'Age in seconds of the oldest event the projection has not applied yet.', (lag) => lag.secondsBehind),
  ].join('\n') + '\n';
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
