import { traceparentOf } from '../observability/trace-context.js';
import type { EventEnvelope } from './event.js';

/** The part of a Prisma client (or transaction client) the outbox and inbox need. */
export interface RawSql {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * Writes events into the subgraph's own "OutboxEvent" table inside the caller's transaction, so
 * the state change and its event commit or roll back together.
 */
export class Outbox {
  constructor(private readonly schema: string) {}

  async add(tx: RawSql, event: EventEnvelope): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO "${this.schema}"."OutboxEvent" ("id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload", "traceparent", "occurredAt")
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamp(3))`,
      event.id, event.tenantId, event.type, event.version, event.aggregateType, event.aggregateId,
      // an event written without a trace context keeps the one it was written in
      JSON.stringify(event.payload), event.traceparent ?? traceparentOf(), event.occurredAt,
    );
  }
}

/**
 * Records consumed event ids in the subgraph's own "ProcessedEvent" table, in the same transaction
 * as the effect: a redelivered event finds its id and has no second effect.
 */
export class Inbox {
  constructor(private readonly schema: string) {}

  /** True when this consumer has not seen the event yet (and now has). */
  async claim(tx: RawSql, consumer: string, eventId: string): Promise<boolean> {
    const inserted = await tx.$executeRawUnsafe(
      `INSERT INTO "${this.schema}"."ProcessedEvent" ("consumer", "eventId") VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING`,
      consumer, eventId,
    );
    return inserted === 1;
  }
}
