import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import type { CommonConfig } from '../config/config.js';

export type { Logger };

/**
 * JSON logs, one line per event; `service` names the emitter, `requestId` ties a request's lines
 * together, `trace_id`/`span_id` tie them to the trace when tracing is on.
 */
export function createLogger(service: string, config: Pick<CommonConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // lines written inside a span carry its ids, so a trace backend and the logs point at each other
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
    redact: { paths: ['req.headers.authorization', 'password', '*.password', 'token'], remove: true },
  });
}

/** Apollo's logger interface over pino, for ApolloServer and ApolloGateway. */
export function apolloLogger(logger: Logger): { debug(m: unknown): void; info(m: unknown): void; warn(m: unknown): void; error(m: unknown): void } {
  return {
    debug: (m) => logger.debug(m),
    info: (m) => logger.info(m),
    warn: (m) => logger.warn(m),
    error: (m) => logger.error(m),
  };
}
