// Logs (pino), metrics (prom-client) and traces (OpenTelemetry) for every process.
export { apolloLogger, createLogger, type Logger } from './logger.js';
export {
  collectDefaultMetrics, eventsConsumed, eventsDeadLettered, graphqlDuration, graphqlRequests, onScrape, registry, runScrapeProbes,
} from './metrics.js';
export { startTracing, type Tracing } from './tracing.js';
export { injectTraceContext, traceparentOf, withoutTracing } from './trace-context.js';
export { httpServerSpans } from './http-spans.js';
