import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

let enabled = false;

/** True once this process registered a tracer provider (tracing.ts): the kernel then adds its spans. */
export function isTracingEnabled(): boolean {
  return enabled;
}

export function markTracingEnabled(value: boolean): void {
  enabled = value;
}

/** The W3C `traceparent` of a span (or of the active one), to store with an event. */
export function traceparentOf(span: Span | undefined = trace.getActiveSpan()): string | null {
  const ctx = span?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(ROOT_CONTEXT, ctx), carrier);
  return carrier.traceparent ?? null;
}

/** The context a stored `traceparent` continues; the root context when there is none. */
export function contextOf(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/**
 * Runs housekeeping (outbox polls, readiness pings, scrape-time queries) without spans, so it
 * never starts a trace of its own every few hundred milliseconds.
 */
export function withoutTracing<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}

/** Writes the active trace context as W3C headers (`traceparent`, `tracestate`) through `set`. */
export function injectTraceContext(set: (name: string, value: string) => void): void {
  if (!enabled) return;
  propagation.inject(context.active(), undefined, { set: (_carrier, name, value) => set(name, value) });
}

/** Runs the work, records its failure on the span, and ends the span either way. */
export async function endingSpan<R>(span: Span, work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
