import type { EventEnvelope } from '../event.js';

/** A message body read back as the event envelope it should hold; throws when it is not one. */
export function parseEnvelope(raw: string): EventEnvelope {
  const value = JSON.parse(raw) as Partial<EventEnvelope> | null;
  if (!value || typeof value !== 'object' || typeof value.id !== 'string' || typeof value.type !== 'string') {
    throw new Error('message body is not an event envelope');
  }
  return value as EventEnvelope;
}

/** What a dead letter whose body is not an event still says about it. */
export function placeholderEnvelope(type: string, raw: string, msgId: string | undefined): EventEnvelope {
  return {
    id: msgId ?? '',
    type,
    version: 0,
    tenantId: '',
    occurredAt: '',
    aggregateType: '',
    aggregateId: '',
    traceparent: null,
    payload: raw,
  };
}
