import { ScimMetrics } from './metrics.js';

const gateway = (tenantLabel = false) => new ScimMetrics({ enabled: true, tenantLabel, component: 'gateway' });

describe('ScimMetrics', () => {
  it('records through label-bound children and renders the Prometheus text format', async () => {
    const metrics = gateway();
    metrics.http.request('GET', '/scim/v2/Users/:id', '2xx', 'contoso', 0.012);
    metrics.http.request('GET', '/scim/v2/Users/:id', '2xx', 'contoso', 0.3);
    metrics.scim.outcome('User', 'create', '4xx', 'uniqueness', 'contoso');
    metrics.auth.failed('scim', 'expired');
    metrics.appendMetrics('pglite').appended(0.004, 'conflict');
    metrics.command.attempt('conflict');
    metrics.command.retry('conflict');
    metrics.readYourWrites.waited(0.002, 'reached');
    const text = (await metrics.render())!;
    expect(text).toContain('scim_http_request_duration_seconds_count{method="GET",route="/scim/v2/Users/:id",status_class="2xx"} 2');
    expect(text).toContain('scim_http_request_duration_seconds_bucket{le="0.025",method="GET",route="/scim/v2/Users/:id",status_class="2xx"} 1');
    expect(text).toContain('scim_requests_total{resource_type="User",operation="create",status_class="4xx",scim_type="uniqueness"} 1');
    expect(text).toContain('scim_auth_failures_total{realm="scim",reason="expired"} 1');
    expect(text).toContain('scim_auth_failures_total{realm="admin",reason="unknown"} 0');
    expect(text).not.toContain('tenant=');
    expect(text).toContain('scim_event_store_append_duration_seconds_count{store="pglite",outcome="conflict"} 1');
    expect(text).toContain('scim_command_attempts_total{outcome="conflict"} 1');
    expect(text).toContain('scim_command_attempts_total{outcome="committed"} 0');
    expect(text).toContain('scim_command_retries_total{reason="conflict"} 1');
    expect(text).toContain('scim_read_your_writes_wait_seconds_count{outcome="reached"} 1');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('adds the tenant label only with METRICS_TENANT_LABEL', async () => {
    const metrics = gateway(true);
    metrics.http.request('POST', '/scim/v2/Users', '2xx', 'contoso', 0.01);
    metrics.scim.outcome('User', 'create', '2xx', 'none', 'contoso');
    metrics.rateLimit.refused('token_rate', 'fabrikam');
    const text = (await metrics.render())!;
    expect(text).toContain('scim_http_request_duration_seconds_count{method="POST",route="/scim/v2/Users",status_class="2xx",tenant="contoso"} 1');
    expect(text).toContain('scim_requests_total{resource_type="User",operation="create",status_class="2xx",scim_type="none",tenant="contoso"} 1');
    expect(text).toContain('scim_rate_limit_refusals_total{limit="token_rate",tenant="fabrikam"} 1');
  });

  it('keeps the projection-lag series names of the hand-written /metrics, measured once per scrape', async () => {
    const metrics = new ScimMetrics({ enabled: true, tenantLabel: false, component: 'projector' });
    let measurements = 0;
    metrics.observeProjectionLag(async () => {
      measurements++;
      return [{ projection: 'kafka.scim', eventsBehind: 2, eventsBehindCapped: false, secondsBehind: 1.5 }];
    });
    metrics.observeProjectorRoles(() => [{ projection: 'kafka.scim', active: false }]);
    const text = (await metrics.render())!;
    expect(text).toContain('# TYPE scim_projection_events_behind gauge');
    expect(text).toContain('scim_projection_events_behind{projection="kafka.scim"} 2');
    expect(text).toContain('scim_projection_seconds_behind{projection="kafka.scim"} 1.5');
    expect(text).toContain('scim_projection_events_behind_capped{projection="kafka.scim"} 0');
    expect(text).toContain('scim_projector_active{projection="kafka.scim"} 0');
    expect(measurements).toBe(1);
    // The projector has no HTTP API of its own to measure.
    expect(text).not.toContain('scim_http_request_duration_seconds');
  });

  it('serves every other series when the lag cannot be measured (the store is down)', async () => {
    const metrics = new ScimMetrics({ enabled: true, tenantLabel: false, component: 'projector' });
    metrics.observeProjectionLag(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    metrics.projection.applied('read-model', 3, 0.01);
    const text = (await metrics.render())!;
    expect(text).not.toMatch(/^scim_projection_events_behind\{/m);
    expect(text).toContain('scim_projection_batch_events_sum{projection="read-model"} 3');
    expect(text).toContain('scim_projection_batch_failures_total{projection="read-model"} 0');
  });

  it('with METRICS_ENABLED=false has no registry and records nothing', async () => {
    const metrics = new ScimMetrics({ enabled: false, tenantLabel: true, component: 'gateway' });
    expect(metrics.enabled).toBe(false);
    expect(metrics.registry).toBeNull();
    expect(metrics.tenantLabel).toBe(false);
    metrics.http.request('GET', '/health', '2xx', 'none', 0.001);
    metrics.command.attempt('committed');
    metrics.appendMetrics('postgres').appended(0.01, 'ok');
    expect(await metrics.render()).toBeNull();
  });
});
