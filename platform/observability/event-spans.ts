import { SpanKind, trace } from '@opentelemetry/api';
import type { ConsumerOptions } from '../events/bus.js';
import type { EventEnvelope } from '../events/event.js';
import { contextOf, endingSpan, isTracingEnabled, traceparentOf } from './trace-context.js';

function attributesOf(event: EventEnvelope) {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': event.type,
    'messaging.message.id': event.id,
    'commerce.tenant.id': event.tenantId,
    'commerce.aggregate': `${event.aggregateType}:${event.aggregateId}`,
  };
}

/**
 * The relay's side: a PRODUCER span under the trace the event was written in (its stored
 * `traceparent`), and the event leaves carrying that span as its parent. Events written outside
 * any trace are published without a span.
 */
export async function publishTraced(service: string, event: EventEnvelope, publish: (event: EventEnvelope) => Promise<void>): Promise<void> {
  if (!isTracingEnabled() || !event.traceparent) return publish(event);
  const tracer = trace.getTracer(service);
  const span = tracer.startSpan(
    `publish ${event.type}`,
    { kind: SpanKind.PRODUCER, attributes: { ...attributesOf(event), 'messaging.operation.type': 'publish' } },
    contextOf(event.traceparent),
  );
  await endingSpan(span, () => publish({ ...event, traceparent: traceparentOf(span) ?? event.traceparent }));
}

/**
 * The consumer's side: each delivery runs in a CONSUMER span that continues the event's trace, and
 * the handler sees that span as the event's `traceparent`, so the events it emits (the next saga
 * step) hang under it.
 */
export function tracedConsumer(service: string, options: ConsumerOptions): ConsumerOptions {
  if (!isTracingEnabled()) return options;
  const tracer = trace.getTracer(service);
  return {
    ...options,
    handler: (event) =>
      tracer.startActiveSpan(
        `process ${event.type}`,
        { kind: SpanKind.CONSUMER, attributes: { ...attributesOf(event), 'messaging.operation.type': 'process', 'messaging.consumer.group.name': options.consumer } },
        contextOf(event.traceparent),
        (span) => endingSpan(span, () => options.handler({ ...event, traceparent: traceparentOf(span) ?? event.traceparent })),
      ),
  };
}
