import type { EventBus } from '../events/bus.js';
import type { RawSql } from '../events/outbox.js';
import { consumerAckPending, consumerLag, onScrape, outboxBacklog, outboxOldestAge } from '../observability/metrics.js';

/**
 * What /metrics reads from a subgraph at scrape time: its outbox (events not yet published and how
 * old the oldest is) and its durable consumers' backlog at the bus. Returns the removal.
 */
export function watchSubgraph(options: { service: string; schema: string; db: RawSql; bus: EventBus }): () => void {
  const { service, schema, db, bus } = options;
  return onScrape(async () => {
    const [row] = await db.$queryRawUnsafe<{ n: number; age: number | null }[]>(
      `SELECT count(*)::int AS n, EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - min("occurredAt"))::float8 AS age
         FROM "${schema}"."OutboxEvent" WHERE "publishedAt" IS NULL`,
    );
    outboxBacklog.set({ service }, row?.n ?? 0);
    outboxOldestAge.set({ service }, Math.max(0, row?.age ?? 0));
    for (const { consumer, pending, ackPending } of (await bus.consumerBacklog?.()) ?? []) {
      consumerLag.set({ consumer }, pending);
      consumerAckPending.set({ consumer }, ackPending);
    }
  });
}
