import { traceparentOf } from '../observability/trace-context.js';
import type { EventEnvelope } from './event.js';

/** The part of a Prisma client (or transaction client) the outbox and inbox need. */
export interface RawSql {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** The outbox columns every insert writes, in the order of `rowValues`. */
const OUTBOX_COLUMNS = `("id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload", "traceparent", "occurredAt")`;

/** One event's values for `OUTBOX_COLUMNS`; an event written without a trace context keeps the one it was written in. */
function rowValues(event: EventEnvelope, traceparent = event.traceparent ?? traceparentOf()): unknown[] {
  return [event.id, event.tenantId, event.type, event.version, event.aggregateType, event.aggregateId, JSON.stringify(event.payload), traceparent, event.occurredAt];
}

/**
 * Writes events into the subgraph's own "OutboxEvent" table inside the caller's transaction, so
 * the state change and its event commit or roll back together.
 */
export class Outbox {
  constructor(private readonly schema: string) {}

  /** Several events in one statement, in the order given (the outbox's sequence follows it). */
  async addMany(tx: RawSql, events: readonly EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    if (events.length === 1) return this.add(tx, events[0]!);
    const traceparent = traceparentOf();
    await tx.$executeRawUnsafe(
      `INSERT INTO "${this.schema}"."OutboxEvent" ${OUTBOX_COLUMNS}
       SELECT e."id", e."tenantId", e."type", e."version", e."aggregateType", e."aggregateId", e."payload", e."traceparent", e."occurredAt"
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::timestamp(3)[])
              WITH ORDINALITY AS e("id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload", "traceparent", "occurredAt", "n")
        ORDER BY e."n"`,
      events.map((e) => e.id), events.map((e) => e.tenantId), events.map((e) => e.type), events.map((e) => e.version),
      events.map((e) => e.aggregateType), events.map((e) => e.aggregateId), events.map((e) => JSON.stringify(e.payload)),
      events.map((e) => e.traceparent ?? traceparent), events.map((e) => e.occurredAt),
    );
  }

  /**
   * `event`'s outbox insert as a data-modifying CTE named `name`, for the statement that makes the
   * change the event announces: one statement is its own transaction, so the change and its event
   * commit together without the BEGIN and COMMIT round trips of an interactive one. The row is
   * written once per row of `from` (another CTE of that statement; none when it has none).
   * `payload(param)` is the payload as a jsonb expression over `from`, for a payload the statement
   * completes; `param` is the event's own payload. Parameters are numbered from `$first`.
   */
  cte(event: EventEnvelope, options: { name: string; from: string; first: number; payload?: (param: string) => string }): { sql: string; values: unknown[] } {
    const $ = (i: number) => `$${options.first + i}`;
    const payload = options.payload ? options.payload(`${$(6)}::jsonb`) : `${$(6)}::jsonb`;
    return {
      sql: `${options.name} AS (
         INSERT INTO "${this.schema}"."OutboxEvent" ${OUTBOX_COLUMNS}
         SELECT ${$(0)}::uuid, ${$(1)}::text, ${$(2)}::text, ${$(3)}::int, ${$(4)}::text, ${$(5)}::text, ${payload}, ${$(7)}::text, ${$(8)}::timestamp(3) FROM ${options.from})`,
      values: rowValues(event),
    };
  }

  async add(tx: RawSql, event: EventEnvelope): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO "${this.schema}"."OutboxEvent" ${OUTBOX_COLUMNS}
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamp(3))`,
      ...rowValues(event),
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

  /** Claims several events in one statement; returns the ids this consumer had not seen yet. */
  async claimMany(tx: RawSql, consumer: string, eventIds: readonly string[]): Promise<Set<string>> {
    const rows = await tx.$queryRawUnsafe<{ eventId: string }[]>(
      `INSERT INTO "${this.schema}"."ProcessedEvent" ("consumer", "eventId") SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING "eventId"`,
      consumer, eventIds,
    );
    return new Set(rows.map((r) => r.eventId));
  }

  /** Takes a claim back (its effect was rolled back to a savepoint), so a redelivery applies the event. */
  async unclaim(tx: RawSql, consumer: string, eventId: string): Promise<void> {
    await tx.$executeRawUnsafe(`DELETE FROM "${this.schema}"."ProcessedEvent" WHERE "consumer" = $1 AND "eventId" = $2::uuid`, consumer, eventId);
  }
}
