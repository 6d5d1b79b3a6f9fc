import { hostname } from 'node:os';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import type { TelemetryConfig } from '../config/config.js';
import { markTracingEnabled } from './trace-context.js';

const SERVICE_NAMESPACE = 'supergraph-commerce';
const SERVICE_VERSION = '0.1.0';

let provider: NodeTracerProvider | undefined;

export interface Tracing {
  enabled: boolean;
  /** Exports what is buffered, then stops; call once on shutdown. */
  shutdown(): Promise<void>;
}

function samplerOf(config: TelemetryConfig['sampler']): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.ratio);
  switch (config.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function processorsOf(config: TelemetryConfig): SpanProcessor[] {
  if (config.exporter === 'otlp') return [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otlp.tracesUrl, headers: config.otlp.headers }))];
  if (config.exporter === 'console') return [new SimpleSpanProcessor(new ConsoleSpanExporter())];
  return [];
}

/**
 * Registers the process's tracer provider (W3C trace context, async-local context), Prisma's
 * instrumentation and the exporter the OTEL_* variables name. Without an exporter (and without
 * `spanProcessors`, which tests pass) tracing stays off and costs nothing.
 */
export function startTracing(options: { service: string; config: TelemetryConfig; spanProcessors?: SpanProcessor[] }): Tracing {
  const spanProcessors = options.spanProcessors ?? processorsOf(options.config);
  if (provider || spanProcessors.length === 0) return { enabled: provider !== undefined, shutdown: async () => undefined };
  const resource = defaultResource().merge(
    resourceFromAttributes({
      ...options.config.resourceAttributes,
      [ATTR_SERVICE_NAME]: options.config.serviceName ?? options.service,
      [ATTR_SERVICE_VERSION]: SERVICE_VERSION,
      'service.namespace': SERVICE_NAMESPACE,
      'service.instance.id': `${hostname()}:${process.pid}`,
    }),
  );
  const registered = new NodeTracerProvider({ resource, sampler: samplerOf(options.config.sampler), spanProcessors });
  registered.register();
  provider = registered;
  markTracingEnabled(true);
  const prisma = new PrismaInstrumentation({ enabled: false });
  prisma.setTracerProvider(registered);
  prisma.enable();
  return {
    enabled: true,
    async shutdown() {
      prisma.disable();
      markTracingEnabled(false);
      provider = undefined;
      await registered.shutdown();
    },
  };
}
