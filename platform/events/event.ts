import { randomUUID } from 'node:crypto';

/** What travels on the bus. Payloads carry ids, plus only what a consumer needs to decide. */
export interface EventEnvelope<P = unknown> {
  id: string;
  type: string;
  version: number;
  tenantId: string;
  occurredAt: string;
  /**
   * When the transaction that wrote the event committed, as the subgraph that committed it saw it
   * (stamped by its outbox relay). Absent when another replica, or the same one after a restart,
   * relayed the event: `occurredAt` is then the closest there is.
   */
  committedAt?: string;
  aggregateType: string;
  aggregateId: string;
  traceparent: string | null;
  payload: P;
}

/** One definition per event type: its name `<subgraph>.<entity>.<past-tense-verb>`, version and aggregate. */
export interface EventDefinition<P> {
  type: string;
  version: number;
  aggregateType: string;
  /** Phantom field: carries the payload type. */
  readonly __payload?: P;
}

export function defineEvent<P>(type: string, version: number, aggregateType: string): EventDefinition<P> {
  if (!/^[a-z]+\.[a-z_]+\.[a-z_]+$/.test(type)) throw new Error(`event type ${type} is not <subgraph>.<entity>.<verb>`);
  return { type, version, aggregateType };
}

export function createEvent<P>(
  definition: EventDefinition<P>,
  fields: { tenantId: string; aggregateId: string; payload: P; traceparent?: string | null },
): EventEnvelope<P> {
  return {
    id: randomUUID(),
    type: definition.type,
    version: definition.version,
    tenantId: fields.tenantId,
    occurredAt: new Date().toISOString(),
    aggregateType: definition.aggregateType,
    aggregateId: fields.aggregateId,
    traceparent: fields.traceparent ?? null,
    payload: fields.payload,
  };
}

export function isEvent<P>(event: EventEnvelope, definition: EventDefinition<P>): event is EventEnvelope<P> {
  return event.type === definition.type;
}

/**
 * The subgraph response extension carrying the events a request committed that the gateway must
 * act on before it answers (see SubgraphDefinition.answerWithEvents); the bus carries them too.
 */
export const COMMITTED_EVENTS_EXTENSION = 'committedEvents';

/** Whether `value` has an envelope's shape (events read from a response or the wire). */
export function looksLikeEvent(value: unknown): value is EventEnvelope {
  const event = value as Partial<EventEnvelope> | null;
  return typeof event === 'object' && event !== null && typeof event.id === 'string' && typeof event.type === 'string' && typeof event.tenantId === 'string' && typeof event.payload === 'object' && event.payload !== null;
}
