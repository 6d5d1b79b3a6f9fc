import client from 'prom-client';
import { registry } from '#platform/observability';

function metric<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export const liveSockets = metric(
  'gateway_subscription_sockets',
  () => new client.Gauge({ name: 'gateway_subscription_sockets', help: 'graphql-ws sockets open and signed in', registers: [registry] }),
);

export const liveSubscriptions = metric(
  'gateway_subscriptions',
  () => new client.Gauge({ name: 'gateway_subscriptions', help: 'Subscriptions running, by root field', labelNames: ['field'] as const, registers: [registry] }),
);

export const liveTopics = metric(
  'gateway_subscription_topics',
  () => new client.Gauge({ name: 'gateway_subscription_topics', help: 'Upstream subscriptions: identical subscriptions share one', registers: [registry] }),
);

export const subscriptionEvents = metric(
  'gateway_subscription_events_total',
  () =>
    new client.Counter({
      name: 'gateway_subscription_events_total',
      help: 'Per-topic event executions by outcome (delivered, not_visible, failed, unavailable)',
      labelNames: ['field', 'outcome'] as const,
      registers: [registry],
    }),
);

export const subscriptionMessages = metric(
  'gateway_subscription_messages_total',
  () => new client.Counter({ name: 'gateway_subscription_messages_total', help: 'Results handed to sockets', registers: [registry] }),
);

export const subscriptionCoalesced = metric(
  'gateway_subscription_coalesced_total',
  () => new client.Counter({ name: 'gateway_subscription_coalesced_total', help: 'Queued results replaced by a later one of the same entity', registers: [registry] }),
);

export const subscriptionSocketsClosed = metric(
  'gateway_subscription_sockets_closed_total',
  () => new client.Counter({ name: 'gateway_subscription_sockets_closed_total', help: 'Sockets the gateway closed, by reason', labelNames: ['reason'] as const, registers: [registry] }),
);

export const subscriptionArrival = metric(
  'gateway_subscription_event_arrival_seconds',
  () =>
    new client.Histogram({
      name: 'gateway_subscription_event_arrival_seconds',
      help: 'From an event committing in a subgraph (when its relay knew, else from it occurring) to the gateway receiving it from the bus (outbox relay and bus)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
);

export const subscriptionExecution = metric(
  'gateway_subscription_execution_seconds',
  () =>
    new client.Histogram({
      name: 'gateway_subscription_execution_seconds',
      help: 'From the gateway receiving an event to the result being handed to the sockets (waiting, subgraph fetches)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
);

export const subscriptionResultsDropped = metric(
  'gateway_subscription_results_dropped_total',
  () =>
    new client.Counter({
      name: 'gateway_subscription_results_dropped_total',
      help: 'Results not sent: superseded (a newer event of the entity arrived while it was assembled), unchanged_or_older (per subscription: no news, or read before what it already has)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
);

/**
 * Where an event's time goes in the gateway, stage by stage: `queued` (received → its entity fetch
 * starts: runs of the same entity ahead of it, the fetch concurrency), `entity_fetch`, `rest` (the
 * rest of the plan: nested entity fetches), `fan_out` (handing the result to every member's queue),
 * `socket_queue` (handed to a queue → taken by graphql-ws: earlier results still being written to
 * that socket) and `socket_write` (one message from `ws.send` until it is written to the kernel).
 */
export const subscriptionStage = metric(
  'gateway_subscription_stage_seconds',
  () =>
    new client.Histogram({
      name: 'gateway_subscription_stage_seconds',
      help: 'Time of an event result in each stage of the gateway: queued, entity_fetch, rest, fan_out, socket_queue, socket_write',
      labelNames: ['stage'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
);
