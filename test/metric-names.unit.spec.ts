import { alertRulesIn, dashboardExpressions, isExposed, metricNamesInPromQL, parseExposition, sampleValue } from './support/metric-names.js';

/** The reader the dashboard test relies on: if it missed names, that test would pass without checking them. */
describe('metricNamesInPromQL', () => {
  it.each([
    ['scim_projection_seconds_behind > 60', ['scim_projection_seconds_behind']],
    ['max by (instance, projection) (scim_projection_seconds_behind{projection=~"kafka.*"}) > 900', ['scim_projection_seconds_behind']],
    [
      'histogram_quantile(0.95, sum by (le, route) (rate(scim_http_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))',
      ['scim_http_request_duration_seconds_bucket'],
    ],
    [
      'sum(rate(a_sum[5m])) / sum(rate(a_count[5m])) > 0.05 and on(instance) b_total offset 1h > 1e3',
      ['a_sum', 'a_count', 'b_total'],
    ],
    ['increase(scim_auth_failures_total{reason!="missing",x="a(b)"}[5m]) > 50', ['scim_auth_failures_total']],
    ['sum without (job) (up)', ['up']],
  ])('%s', (expr, names) => {
    expect(metricNamesInPromQL(expr)).toEqual(names);
  });
});

describe('alertRulesIn', () => {
  it('reads one-line and block expressions with their for:', () => {
    const rules = alertRulesIn(
      [
        'groups:',
        '  - name: g',
        '    rules:',
        '      - alert: One',
        '        expr: a > 1',
        '        for: 5m',
        '      - alert: Two',
        '        expr: |',
        '          sum(rate(b_total[5m]))',
        '            > 0',
        '        labels:',
        '          severity: warning',
      ].join('\n'),
    );
    expect(rules).toEqual([
      { alert: 'One', expr: 'a > 1', for: '5m' },
      { alert: 'Two', expr: 'sum(rate(b_total[5m])) > 0', for: null },
    ]);
  });
});

describe('dashboardExpressions', () => {
  it('finds panel targets in rows and the metric of a label_values() variable', () => {
    const dashboard = {
      panels: [{ type: 'row', panels: [{ targets: [{ expr: 'a_total' }] }] }, { targets: [{ expr: 'b' }] }],
      templating: { list: [{ definition: 'label_values(process_start_time_seconds, instance)' }] },
    };
    expect(dashboardExpressions(dashboard).sort()).toEqual(['a_total', 'b', 'process_start_time_seconds']);
  });
});

describe('exposition', () => {
  const exposition = parseExposition(
    [
      '# HELP h a histogram',
      '# TYPE h histogram',
      'h_bucket{le="1",route="/a"} 1',
      'h_sum{route="/a"} 0.5',
      'h_count{route="/a"} 1',
      '# TYPE c_count counter',
      'c_count 3',
    ].join('\n'),
  );

  it('maps _bucket, _sum and _count to their histogram only', () => {
    expect(isExposed(exposition, 'h_bucket')).toBe(true);
    expect(isExposed(exposition, 'h_count')).toBe(true);
    expect(isExposed(exposition, 'h')).toBe(false);
    expect(isExposed(exposition, 'c_count')).toBe(false); // a _count that is no histogram's: flagged, not guessed
    expect(isExposed(exposition, 'missing_total')).toBe(false);
  });

  it('finds a sample by its labels in any order', () => {
    expect(sampleValue(exposition, 'h_bucket', { route: '/a', le: '1' })).toBe(1);
    expect(sampleValue(exposition, 'h_bucket', { route: '/a' })).toBeUndefined();
  });
});
