import { ConfigError } from '#config/gateway.config.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The OpenTelemetry variables the gateway and the projector read (the standard OTEL_* names, as every OpenTelemetry
 * SDK reads them). The README's table is checked against this list. The OTLP exporter itself also reads
 * OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, _TIMEOUT, _COMPRESSION and the certificate variables.
 */
export const TRACING_VARIABLES = {
  OTEL_SDK_DISABLED: 'true = no tracing whatever else is set (default false)',
  OTEL_TRACES_EXPORTER: 'otlp | console | none, or a comma-separated list (default: otlp when an OTLP endpoint is set, else none: tracing off)',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'base URL of an OTLP/HTTP receiver; traces go to <it>/v1/traces (default http://localhost:4318 when OTEL_TRACES_EXPORTER=otlp)',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'full URL traces are posted to, used as it is (overrides OTEL_EXPORTER_OTLP_ENDPOINT)',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf only (the default); grpc and http/json stop the start',
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'the same, for traces only (overrides OTEL_EXPORTER_OTLP_PROTOCOL)',
  OTEL_SERVICE_NAME: 'service.name of the spans (default scim-gateway, or scim-projector for the projector)',
  OTEL_RESOURCE_ATTRIBUTES: 'key=value,... added to every span\'s resource (values percent-encoded)',
  OTEL_TRACES_SAMPLER: 'always_on | always_off | traceidratio | parentbased_always_on | parentbased_always_off | parentbased_traceidratio (default parentbased_always_on)',
  OTEL_TRACES_SAMPLER_ARG: 'the ratio from 0 to 1 of the traceidratio samplers (default 1)',
} as const;

export type TraceExporterKind = 'otlp' | 'console';

export type SamplerConfig =
  | { readonly kind: 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off' }
  | { readonly kind: 'traceidratio' | 'parentbased_traceidratio'; readonly ratio: number };

export type TracingConfig =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      readonly exporters: readonly TraceExporterKind[];
      /** Where OTLP spans are posted (null without the otlp exporter). */
      readonly otlpUrl: string | null;
      readonly serviceName: string;
      /** From OTEL_RESOURCE_ATTRIBUTES; service.name is set apart. */
      readonly resourceAttributes: Readonly<Record<string, string>>;
      readonly sampler: SamplerConfig;
    };

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
const DEFAULT_OTLP_BASE = 'http://localhost:4318';

/**
 * Tracing from the standard OTEL_* variables. Off (nothing registered, every span call the API's no-op) when
 * OTEL_SDK_DISABLED=true or when no exporter is configured: OTEL_TRACES_EXPORTER unset and no OTLP endpoint, or
 * `none`. The specification's default exporter is otlp; ours is "none unless an endpoint says where", so a gateway
 * started without any OTEL_* variable never posts spans to a localhost port nobody listens on.
 * A bad value throws ConfigError naming the variable, like every other setting.
 */
export function loadTracingConfig(env: Env, defaultServiceName: string): TracingConfig {
  const problems: string[] = [];
  const text = (name: keyof typeof TRACING_VARIABLES): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  const disabled = text('OTEL_SDK_DISABLED');
  if (disabled !== undefined && !['true', 'false'].includes(disabled.toLowerCase())) {
    problems.push(`OTEL_SDK_DISABLED="${disabled}" must be true or false`);
  }

  const tracesEndpoint = text('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = text('OTEL_EXPORTER_OTLP_ENDPOINT');
  const exporterList = text('OTEL_TRACES_EXPORTER');
  const exporters: TraceExporterKind[] = [];
  if (exporterList === undefined) {
    if (tracesEndpoint !== undefined || baseEndpoint !== undefined) exporters.push('otlp');
  } else {
    const names = exporterList.split(',').map((name) => name.trim().toLowerCase());
    for (const name of names) {
      if (name === 'otlp' || name === 'console') {
        if (!exporters.includes(name)) exporters.push(name);
      } else if (name !== 'none') {
        problems.push(`OTEL_TRACES_EXPORTER="${exporterList}": "${name}" is not one of otlp, console, none`);
      }
    }
    if (names.includes('none') && names.length > 1) problems.push(`OTEL_TRACES_EXPORTER="${exporterList}": none cannot be combined with an exporter`);
  }

  let otlpUrl: string | null = null;
  if (exporters.includes('otlp')) {
    const protocolName = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    const protocol = text(protocolName) ?? 'http/protobuf';
    if (protocol === 'grpc') {
      problems.push(`${protocolName}=grpc is not supported (no gRPC exporter is installed): use http/protobuf, port 4318 on a Collector or Jaeger`);
    } else if (protocol !== 'http/protobuf') {
      problems.push(`${protocolName}="${protocol}" is not supported: use http/protobuf`);
    }
    // The specification's rules: a signal-specific URL is used as it is; the base URL gets /v1/traces appended.
    if (tracesEndpoint !== undefined) {
      otlpUrl = httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint, problems);
    } else {
      const base = baseEndpoint === undefined ? DEFAULT_OTLP_BASE : httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', baseEndpoint, problems);
      otlpUrl = base === null ? null : `${base.replace(/\/+$/, '')}/v1/traces`;
    }
  }

  const serviceName = text('OTEL_SERVICE_NAME');
  const resourceAttributes = parseResourceAttributes(text('OTEL_RESOURCE_ATTRIBUTES'), problems);
  const sampler = parseSampler(text('OTEL_TRACES_SAMPLER'), text('OTEL_TRACES_SAMPLER_ARG'), problems);

  if (problems.length > 0) throw new ConfigError(problems);
  if (disabled?.toLowerCase() === 'true' || exporters.length === 0) return { enabled: false };
  const { 'service.name': serviceNameAttribute, ...attributes } = resourceAttributes;
  return {
    enabled: true,
    exporters,
    otlpUrl,
    // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES (the specification's order).
    serviceName: serviceName ?? serviceNameAttribute ?? defaultServiceName,
    resourceAttributes: attributes,
    sampler: sampler!,
  };
}

function httpUrl(name: string, value: string, problems: string[]): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name}="${value}" is not a URL`);
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name}="${value}" must be an http:// or https:// URL`);
    return null;
  }
  return value;
}

/** `key=value,key=value`, values percent-encoded (W3C Baggage octets), as the specification defines it. */
function parseResourceAttributes(raw: string | undefined, problems: string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (raw === undefined) return attributes;
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    const key = equals < 0 ? '' : pair.slice(0, equals).trim();
    if (key === '') {
      problems.push(`OTEL_RESOURCE_ATTRIBUTES: "${pair.trim()}" is not key=value`);
      continue;
    }
    try {
      attributes[key] = decodeURIComponent(pair.slice(equals + 1).trim());
    } catch {
      problems.push(`OTEL_RESOURCE_ATTRIBUTES: the value of "${key}" is not valid percent-encoding`);
    }
  }
  return attributes;
}

function parseSampler(name: string | undefined, arg: string | undefined, problems: string[]): SamplerConfig | null {
  const kind = (name ?? 'parentbased_always_on').toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(kind)) {
    problems.push(`OTEL_TRACES_SAMPLER="${name}" must be one of ${SAMPLERS.join(', ')}`);
    return null;
  }
  if (kind === 'traceidratio' || kind === 'parentbased_traceidratio') {
    const ratio = arg === undefined ? 1 : Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
      problems.push(`OTEL_TRACES_SAMPLER_ARG="${arg}" must be a number from 0 to 1`);
      return null;
    }
    return { kind, ratio };
  }
  return { kind: kind as 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off' };
}
