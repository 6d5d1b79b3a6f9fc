import type { EventEnvelope } from './event.js';

export type EventHandler = (event: EventEnvelope) => Promise<void>;

export interface ConsumerOptions {
  /** Durable name: replicas of one subgraph share it, so each event reaches one of them. */
  consumer: string;
  /** Event types this consumer wants. */
  types: string[];
  handler: EventHandler;
}

export interface DeliveryPolicy {
  /** Attempts before an event is dead-lettered. */
  maxDeliver: number;
  /** Wait before attempt n+1 (the last value repeats). */
  backoffMs: number[];
}

export const DEFAULT_DELIVERY: DeliveryPolicy = { maxDeliver: 5, backoffMs: [100, 500, 2_000, 5_000] };

export interface DeadLetter {
  consumer: string;
  event: EventEnvelope;
  error: string;
  attempts: number;
  at: string;
}

export interface ConsumerBacklog {
  consumer: string;
  pending: number;
  ackPending: number;
}

export interface BroadcastOptions {
  /** Event types wanted. */
  types: string[];
  /** Only this tenant's events; every tenant's when absent. */
  tenantId?: string;
  /** Called once per event, in publish order; a failure is logged, never retried. */
  handler: (event: EventEnvelope) => void | Promise<void>;
}

/**
 * The event bus both topologies share: NATS JetStream when distributed, in-process when embedded.
 * `publish` resolves once the bus has the event; delivery is at least once, per consumer, in order
 * per aggregate, with redelivery on handler failure and a dead letter after the last attempt.
 */
export interface EventBus {
  publish(event: EventEnvelope): Promise<void>;
  consume(options: ConsumerOptions): Promise<void>;
  /**
   * Fan-out: every process that subscribes gets every matching event published from now on (the
   * gateway's live subscriptions). Not durable: at most once, no redelivery, nothing while disconnected.
   * Resolves once the bus routes matching events here; the returned function ends the subscription.
   */
  subscribe(options: BroadcastOptions): Promise<() => Promise<void>>;
  /** Waits until every event published so far has been handled or dead-lettered (tests, shutdown). */
  drain(): Promise<void>;
  /** Per durable consumer of this process: events not yet delivered and delivered but unacknowledged (metrics). */
  consumerBacklog?(): Promise<ConsumerBacklog[]>;
  close(): Promise<void>;
}
