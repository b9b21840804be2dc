import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '#config/gateway.config.js';
import { loadTracingConfig } from './tracing.config.js';

describe('loadTracingConfig', () => {
  it.each([
    ['no variable at all', {}],
    ['OTEL_TRACES_EXPORTER=none, even with an endpoint', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }],
    ['OTEL_SDK_DISABLED=true, whatever else is set', { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp,console' }],
    ['only a service name and a sampler', { OTEL_SERVICE_NAME: 'edge', OTEL_TRACES_SAMPLER: 'always_on' }],
  ])('is off with %s', (_case, env) => {
    expect(loadTracingConfig(env, 'scim-gateway')).toEqual({ enabled: false });
  });

  it('turns on with an OTLP endpoint alone, posting to <endpoint>/v1/traces, parent-based always-on by default', () => {
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'scim-gateway')).toEqual({
      enabled: true,
      exporters: ['otlp'],
      otlpUrl: 'http://collector:4318/v1/traces',
      serviceName: 'scim-gateway',
      resourceAttributes: {},
      sampler: { kind: 'parentbased_always_on' },
    });
  });

  it('takes the traces endpoint as it is, before the base endpoint', () => {
    const config = loadTracingConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/custom/path' },
      'scim-gateway',
    );
    expect(config).toMatchObject({ enabled: true, otlpUrl: 'https://traces.example.com/custom/path' });
  });

  it('defaults the OTLP URL to localhost:4318 when only OTEL_TRACES_EXPORTER=otlp says so', () => {
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: 'otlp' }, 'scim-gateway')).toMatchObject({ otlpUrl: 'http://localhost:4318/v1/traces' });
  });

  it('runs the console exporter without any URL, and both from a list', () => {
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: 'console' }, 'scim-projector')).toMatchObject({
      enabled: true,
      exporters: ['console'],
      otlpUrl: null,
      serviceName: 'scim-projector',
    });
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: ' OTLP , console ' }, 'scim-gateway')).toMatchObject({ exporters: ['otlp', 'console'] });
  });

  it('reads the resource attributes, percent-decoded; OTEL_SERVICE_NAME wins over their service.name', () => {
    const env = { OTEL_TRACES_EXPORTER: 'console', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.name=from-attributes,team=id%20%26%20access' };
    expect(loadTracingConfig(env, 'scim-gateway')).toMatchObject({
      serviceName: 'from-attributes',
      resourceAttributes: { 'deployment.environment.name': 'prod', team: 'id & access' },
    });
    expect(loadTracingConfig({ ...env, OTEL_SERVICE_NAME: 'gateway-eu' }, 'scim-gateway')).toMatchObject({ serviceName: 'gateway-eu' });
  });

  it.each([
    ['always_off', undefined, { kind: 'always_off' }],
    ['traceidratio', '0.25', { kind: 'traceidratio', ratio: 0.25 }],
    ['parentbased_traceidratio', undefined, { kind: 'parentbased_traceidratio', ratio: 1 }],
    ['PARENTBASED_ALWAYS_OFF', undefined, { kind: 'parentbased_always_off' }],
  ])('reads the sampler %s (arg %s)', (sampler, arg, expected) => {
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: arg }, 'scim-gateway')).toMatchObject({ sampler: expected });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER="zipkin": "zipkin" is not one of otlp, console, none'],
    [{ OTEL_TRACES_EXPORTER: 'none,console' }, 'OTEL_TRACES_EXPORTER="none,console": none cannot be combined'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" must be an http:// or https:// URL'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_ENDPOINT="not a url" is not a URL'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="grpc://collector:4317" must be an http'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json" is not supported'],
    [{ OTEL_SDK_DISABLED: 'yes' }, 'OTEL_SDK_DISABLED="yes" must be true or false'],
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'OTEL_TRACES_SAMPLER="jaeger_remote" must be one of'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG="1.5" must be a number from 0 to 1'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG="half"'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'team' }, 'OTEL_RESOURCE_ATTRIBUTES: "team" is not key=value'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'team=%zz' }, 'OTEL_RESOURCE_ATTRIBUTES: the value of "team" is not valid percent-encoding'],
  ])('refuses %j naming the variable, even while tracing would be off', (env, message) => {
    // A bad value is a mistake to report at start, not something to ignore because no exporter is set.
    const load = () => loadTracingConfig(env, 'scim-gateway');
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('does not refuse grpc while no OTLP exporter is in use', () => {
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_EXPORTER: 'console' }, 'scim-gateway')).toMatchObject({ enabled: true, exporters: ['console'] });
  });
});
