import { describe, expect, it } from 'vitest';
import { ConfigError, loadCommonConfig } from '#platform/config';

const telemetry = (env: Record<string, string>) => loadCommonConfig(env).telemetry;

describe('tracing configuration from the standard OTEL_* variables', () => {
  it('is off when no exporter is configured', () => {
    expect(telemetry({}).exporter).toBe('none');
  });

  it('exports OTLP/HTTP to <endpoint>/v1/traces once an endpoint is set, with its headers', () => {
    expect(telemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme,authorization=Bearer%20abc' })).toMatchObject({
      exporter: 'otlp',
      otlp: { tracesUrl: 'http://collector:4318/v1/traces', headers: { 'x-tenant': 'acme', authorization: 'Bearer abc' } },
    });
    expect(telemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/traces' }).otlp.tracesUrl).toBe('http://b:9999/traces');
  });

  it('stays off when the SDK is disabled, whatever else is set', () => {
    expect(telemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).exporter).toBe('none');
  });

  it('reads the sampler, service name and resource attributes', () => {
    expect(telemetry({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_SERVICE_NAME: 'orders-eu', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging' })).toMatchObject({
      sampler: { kind: 'parentbased_traceidratio', ratio: 0.25 },
      serviceName: 'orders-eu',
      resourceAttributes: { 'deployment.environment': 'staging' },
    });
    expect(telemetry({}).sampler).toEqual({ kind: 'parentbased_always_on', ratio: 1 });
  });

  it('rejects an unknown sampler or a malformed attribute list by name', () => {
    expect(() => telemetry({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(ConfigError);
    expect(() => telemetry({ OTEL_RESOURCE_ATTRIBUTES: 'no-equals-sign' })).toThrow(/OTEL_RESOURCE_ATTRIBUTES/);
  });
});
