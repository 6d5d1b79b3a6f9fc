import client from 'prom-client';

/** One registry per process; every metric carries the emitting service as a label. */
export const registry = new client.Registry();
let defaultsCollected = false;

export function collectDefaultMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  watchTimerLateness();
}

/**
 * How late a timer fires: every TIMER_PROBE_MS, the lateness of the probe's own timer. Unlike
 * prom-client's `nodejs_eventloop_lag_*` gauges (reset on every scrape, a few percentiles of the
 * last interval), a histogram keeps every sample between any two scrapes: a stall of the event loop
 * (a burst of socket writes, a long GC, a process waiting for a core) shows in its tail.
 */
const TIMER_PROBE_MS = 20;

export const eventLoopDelay = metric(
  'process_timer_lateness_seconds',
  () =>
    new client.Histogram({
      name: 'process_timer_lateness_seconds',
      help: `How late a ${TIMER_PROBE_MS} ms timer fired (event loop busy, or the process waiting for a core)`,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
);

function watchTimerLateness(): void {
  let due = performance.now() + TIMER_PROBE_MS;
  const probe = setInterval(() => {
    const now = performance.now();
    eventLoopDelay.observe(Math.max(0, now - due) / 1_000);
    due = now + TIMER_PROBE_MS;
  }, TIMER_PROBE_MS);
  probe.unref();
}

function metric<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export const graphqlRequests = metric(
  'graphql_requests_total',
  () => new client.Counter({ name: 'graphql_requests_total', help: 'GraphQL operations served', labelNames: ['service', 'operation', 'outcome'] as const, registers: [registry] }),
);

export const graphqlDuration = metric(
  'graphql_request_duration_seconds',
  () => new client.Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time to serve a GraphQL operation',
    labelNames: ['service', 'operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
);

export const dbStatements = metric(
  'db_statements_total',
  () => new client.Counter({ name: 'db_statements_total', help: 'SQL statements sent to the database', labelNames: ['service'] as const, registers: [registry] }),
);

export const eventsPublished = metric(
  'events_published_total',
  () => new client.Counter({ name: 'events_published_total', help: 'Events the outbox relay published', labelNames: ['service', 'type'] as const, registers: [registry] }),
);

export const eventsConsumed = metric(
  'events_consumed_total',
  () => new client.Counter({ name: 'events_consumed_total', help: 'Events handled by consumers', labelNames: ['consumer', 'type', 'outcome'] as const, registers: [registry] }),
);

export const eventsDeadLettered = metric(
  'events_dead_lettered_total',
  () => new client.Counter({ name: 'events_dead_lettered_total', help: 'Events given up on after their last attempt', labelNames: ['consumer', 'type'] as const, registers: [registry] }),
);

export const outboxBacklog = metric(
  'outbox_backlog',
  () => new client.Gauge({ name: 'outbox_backlog', help: 'Events committed but not yet published', labelNames: ['service'] as const, registers: [registry] }),
);

export const retentionDeleted = metric(
  'retention_deleted_total',
  () =>
    new client.Counter({
      name: 'retention_deleted_total',
      help: 'Rows deleted past their retention: published outbox events, consumed event ids',
      labelNames: ['service', 'table'] as const,
      registers: [registry],
    }),
);

export const outboxOldestAge = metric(
  'outbox_oldest_event_age_seconds',
  () => new client.Gauge({ name: 'outbox_oldest_event_age_seconds', help: 'Age of the oldest event not yet published (0 when none)', labelNames: ['service'] as const, registers: [registry] }),
);

export const outboxRelayDelay = metric(
  'outbox_relay_seconds',
  () =>
    new client.Histogram({
      name: 'outbox_relay_seconds',
      help: 'Per event the relay saw commit: from the commit to its batch reading it (waiting), and from there to JetStream storing it (publishing)',
      labelNames: ['service', 'stage'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
);

export const consumerLag = metric(
  'events_consumer_pending',
  () => new client.Gauge({ name: 'events_consumer_pending', help: 'Events waiting for a durable consumer (not yet delivered)', labelNames: ['consumer'] as const, registers: [registry] }),
);

export const consumerAckPending = metric(
  'events_consumer_ack_pending',
  () => new client.Gauge({ name: 'events_consumer_ack_pending', help: 'Events delivered to a durable consumer and not yet acknowledged', labelNames: ['consumer'] as const, registers: [registry] }),
);

export const dbPoolConnections = metric(
  'db_pool_connections',
  () => new client.Gauge({ name: 'db_pool_connections', help: 'PostgreSQL pool connections by state (idle, busy) and its size (max)', labelNames: ['service', 'state'] as const, registers: [registry] }),
);

export const dbPoolWaiting = metric(
  'db_pool_waiting_requests',
  () => new client.Gauge({ name: 'db_pool_waiting_requests', help: 'Queries waiting for a free PostgreSQL connection', labelNames: ['service'] as const, registers: [registry] }),
);

/** Gauges read at scrape time (outbox, consumers, pools): each service registers how to refresh its own. */
const scrapeProbes = new Set<() => Promise<void> | void>();

/** Registers a probe /metrics runs before it answers; returns its removal. */
export function onScrape(probe: () => Promise<void> | void): () => void {
  scrapeProbes.add(probe);
  return () => void scrapeProbes.delete(probe);
}

/** Runs every probe; one that fails or takes too long leaves its gauges as they were. */
export async function runScrapeProbes(timeoutMs = 2_000): Promise<void> {
  await Promise.allSettled(
    [...scrapeProbes].map((probe) => Promise.race([Promise.resolve().then(probe), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())])),
  );
}
