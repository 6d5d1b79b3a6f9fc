import { DEFAULT_DELIVERY, type DeliveryPolicy } from '../bus.js';
import { checkStreamName, checkSubjectPart } from './subjects.js';

export interface JetStreamBusOptions {
  /** Stream of domain events. Default `EVENTS`. */
  stream?: string;
  /** Subject prefix of domain events; an event goes to `<prefix>.<tenantId>.<type>`. Default `events`. */
  subjectPrefix?: string;
  /** Stream of dead letters. Default `DLQ`. */
  deadLetterStream?: string;
  /** Subject prefix of dead letters; one goes to `<prefix>.<consumer>.<type>`. Default `dlq`. */
  deadLetterPrefix?: string;
  /** Attempts and backoff between them. Default {@link DEFAULT_DELIVERY}. */
  delivery?: DeliveryPolicy;
  /** JetStream drops a second publish of the same event id within this window. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** How long the events stream keeps events (0 = forever). Default 7 days. */
  maxAgeMs?: number;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it. Default 30 s. */
  ackWaitMs?: number;
  /** Unacknowledged messages a durable consumer may have out (over all replicas). Default 1000. */
  maxAckPending?: number;
  /** Messages one pull asks for. Default 64. */
  prefetch?: number;
  /** Handlers of one consumer running at once in this process. Default 16. */
  concurrency?: number;
  /** Where a durable consumer created for the first time starts: the whole stream or new events only. Default `all`. */
  deliverPolicy?: 'all' | 'new';
  /** Client name the server shows in its monitoring. */
  connectionName?: string;
  /** How long `publish` waits for JetStream's ack. Default 5 s. */
  publishTimeoutMs?: number;
  /** Wait between reconnect attempts (the client retries forever). Default 1 s. */
  reconnectTimeWaitMs?: number;
}

/** The bus's settings once defaults are filled in and names checked (the connection's own are read at connect). */
export interface ResolvedOptions {
  stream: string;
  subjectPrefix: string;
  deadLetterStream: string;
  deadLetterPrefix: string;
  delivery: DeliveryPolicy;
  duplicateWindowMs: number;
  maxAgeMs: number;
  ackWaitMs: number;
  maxAckPending: number;
  prefetch: number;
  concurrency: number;
  deliverPolicy: 'all' | 'new';
  publishTimeoutMs: number;
}

/** Throws on names NATS would refuse and on settings that cannot work, before anything connects. */
export function resolveOptions(options: JetStreamBusOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    stream: checkStreamName('stream', options.stream ?? 'EVENTS'),
    subjectPrefix: checkSubjectPart('subject prefix', options.subjectPrefix ?? 'events'),
    deadLetterStream: checkStreamName('dead-letter stream', options.deadLetterStream ?? 'DLQ'),
    deadLetterPrefix: checkSubjectPart('dead-letter prefix', options.deadLetterPrefix ?? 'dlq'),
    delivery: options.delivery ?? DEFAULT_DELIVERY,
    duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
    maxAgeMs: options.maxAgeMs ?? 7 * 24 * 3_600_000,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    maxAckPending: options.maxAckPending ?? 1_000,
    prefetch: options.prefetch ?? 64,
    concurrency: options.concurrency ?? 16,
    deliverPolicy: options.deliverPolicy ?? 'all',
    publishTimeoutMs: options.publishTimeoutMs ?? 5_000,
  };
  if (resolved.delivery.maxDeliver < 1) throw new Error('delivery.maxDeliver must be at least 1');
  if (resolved.stream === resolved.deadLetterStream) throw new Error('the events and dead-letter streams need different names');
  return resolved;
}
