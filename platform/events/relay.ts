import type { Logger } from '../observability/logger.js';
import { publishTraced } from '../observability/event-spans.js';
import { withoutTracing } from '../observability/trace-context.js';
import { eventsPublished, outboxRelayDelay } from '../observability/metrics.js';
import type { EventBus } from './bus.js';
import type { EventEnvelope } from './event.js';
import type { RawSql } from './outbox.js';

interface OutboxRow {
  id: string;
  tenantId: string;
  type: string;
  version: number;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  traceparent: string | null;
  occurredAt: Date | string;
}

export interface RelayOptions {
  service: string;
  schema: string;
  db: RawSql & { $transaction<T>(fn: (tx: RawSql) => Promise<T>, options?: { timeout?: number }): Promise<T> };
  bus: EventBus;
  logger: Logger;
  pollMs: number;
  /** On PostgreSQL, replicas of a subgraph take turns through an advisory lock; PGlite has one process. */
  exclusive: boolean;
  batchSize?: number;
}

/**
 * How long after a nudge the relay waits. None: the batch runs on the next turn of the event loop,
 * so the commits that one turn saw share it, and the commits made while a batch runs share the next
 * one. A 10 ms wait here was most of the time from commit to publish (bench/subscriptions: relay
 * waiting p50 18–19 → 4–5 ms, with no more CPU in the subgraphs or PostgreSQL; docs/subscriptions.md).
 */
const NUDGE_BATCH_MS = 0;

/**
 * Commit times remembered for events not yet published. Past this many (the bus down for long), the
 * oldest are forgotten: those events go out without `committedAt`.
 */
const MAX_COMMIT_TIMES = 50_000;
/** Commit times older than this are forgotten: their events were relayed elsewhere, or without one. */
const COMMIT_TIME_KEPT_MS = 60_000;

/**
 * Publishes committed outbox events in commit order and marks them published. A crash between
 * publish and mark re-publishes on restart: consumers are idempotent and the bus drops duplicate ids.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  /** When the next batch is due (infinity while one runs or none is scheduled). */
  private nextRunAt = Number.POSITIVE_INFINITY;
  /** Event id → when its transaction committed here (see EventEnvelope.committedAt). */
  private readonly commitTimes = new Map<string, number>();

  constructor(private readonly options: RelayOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** A transaction that wrote these events has committed at `at`: remember when, and publish soon. */
  committed(eventIds: readonly string[], at: number): void {
    for (const id of eventIds) this.commitTimes.set(id, at);
    // oldest first (insertion order): forget what another replica relayed, or a batch read before we were told
    for (const [id, when] of this.commitTimes) {
      if (this.commitTimes.size <= MAX_COMMIT_TIMES && when >= at - COMMIT_TIME_KEPT_MS) break;
      this.commitTimes.delete(id);
    }
    this.nudge();
  }

  /**
   * Called after a transaction that wrote events commits: publish on the next turn of the event loop
   * rather than at the next poll. Commits that land while a batch runs share the one after it.
   */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else if (this.nextRunAt > Date.now() + NUDGE_BATCH_MS) this.schedule(NUDGE_BATCH_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Publishes until the outbox is empty; used by tests and at shutdown. */
  async flush(): Promise<void> {
    await this.running;
    while ((await this.publishBatch()) > 0) {
      /* keep going */
    }
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.nextRunAt = Date.now() + delay;
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.nextRunAt = Number.POSITIVE_INFINITY;
    if (this.stopped || this.running) return;
    let published = 0;
    this.running = (async () => {
      try {
        published = await this.publishBatch();
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        this.options.logger.warn({ err: (error as Error).message, failures: this.failures }, 'outbox relay could not publish; will retry');
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const backoff = this.failures ? Math.min(30_000, this.options.pollMs * 2 ** this.failures) : 0;
    const full = published >= (this.options.batchSize ?? 100);
    const nudged = this.again;
    this.again = false;
    this.schedule(backoff || (full ? 0 : nudged ? NUDGE_BATCH_MS : this.options.pollMs));
  }

  private async publishBatch(): Promise<number> {
    // polling is no request: its own SQL stays out of traces; each event's publish joins its trace
    return withoutTracing(() => this.publishBatchUntraced());
  }

  private async publishBatchUntraced(): Promise<number> {
    const { db, exclusive } = this.options;
    // The outcome is returned, not thrown, inside the transaction: the marks of what was published and
    // the failure's bookkeeping commit with it; the failure is thrown once the transaction is over.
    const outcome: { published: number; error?: Error } = !exclusive
      ? await this.publishWith(db)
      : await db.$transaction((tx) => this.publishWith(tx, `outbox:${this.options.schema}`), { timeout: 60_000 });
    if (outcome.error) throw outcome.error;
    return outcome.published;
  }

  /**
   * One batch, in waves: a wave holds at most one event per aggregate, its events are published
   * together and their acknowledgements awaited together; the next wave starts once the whole wave
   * is stored. After a failure no later wave is published, so an aggregate's later event never
   * overtakes its earlier one; events of other aggregates in the failed wave may have been stored
   * and are marked.
   *
   * With a lock key (PostgreSQL) the batch is read and marked published in one statement inside the
   * relay's transaction, and what did not go out is unmarked before it commits: a process that dies
   * before the commit leaves every row unpublished, as a crash between publish and mark does (the bus
   * drops duplicate ids). Without one (PGlite: one connection, so no transaction held open over the
   * publishing), the batch is read, published, then marked.
   */
  private async publishWith(db: RawSql, lockKey?: string): Promise<{ published: number; error?: Error }> {
    const { schema, bus, service } = this.options;
    const columns = `"id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload", "traceparent", "occurredAt"`;
    const limit = this.options.batchSize ?? 100;
    // with a lock key, the transaction's advisory lock is taken in the same statement: no rows when another replica has it; RETURNING gives
    // no order, so the marked rows are read back in the outbox's
    const rows = lockKey
      ? await db.$queryRawUnsafe<OutboxRow[]>(
          `WITH turn AS (SELECT pg_try_advisory_xact_lock(hashtext($2)) AS locked),
                due AS (SELECT "id" FROM "${schema}"."OutboxEvent", turn WHERE turn.locked AND "publishedAt" IS NULL ORDER BY "seq" LIMIT $1),
                marked AS (UPDATE "${schema}"."OutboxEvent" AS o SET "publishedAt" = now() FROM due WHERE o."id" = due."id" RETURNING o.*)
           SELECT ${columns} FROM marked ORDER BY "seq"`,
          limit, lockKey,
        )
      : await db.$queryRawUnsafe<OutboxRow[]>(`SELECT ${columns} FROM "${schema}"."OutboxEvent" WHERE "publishedAt" IS NULL ORDER BY "seq" LIMIT $1`, limit);
    const readAt = Date.now();
    for (const row of rows) {
      const committedAt = this.commitTimes.get(row.id);
      if (committedAt !== undefined) outboxRelayDelay.observe({ service, stage: 'waiting' }, Math.max(0, readAt - committedAt) / 1_000);
    }
    const published: string[] = [];
    let failure: { id: string; error: Error } | undefined;
    for (const wave of wavesOf(rows)) {
      const results = await Promise.allSettled(wave.map((row) => publishTraced(service, toEnvelope(row, this.commitTimes.get(row.id)), (event) => bus.publish(event))));
      results.forEach((result, i) => {
        const row = wave[i]!;
        if (result.status === 'fulfilled') {
          published.push(row.id);
          if (this.commitTimes.delete(row.id)) outboxRelayDelay.observe({ service, stage: 'publishing' }, (Date.now() - readAt) / 1_000);
          eventsPublished.inc({ service, type: row.type });
        } else failure ??= { id: row.id, error: result.reason instanceof Error ? result.reason : new Error(String(result.reason)) };
      });
      if (failure) break;
    }
    if (lockKey) {
      if (published.length < rows.length) {
        const sent = new Set(published);
        // marked by the read, not sent: unpublished again, the failure's bookkeeping on its row
        await db.$executeRawUnsafe(
          `UPDATE "${schema}"."OutboxEvent"
              SET "publishedAt" = NULL,
                  "attempts" = "attempts" + CASE WHEN "id" = $2::uuid THEN 1 ELSE 0 END,
                  "lastError" = CASE WHEN "id" = $2::uuid THEN $3 ELSE "lastError" END
            WHERE "id" = ANY($1::uuid[])`,
          rows.filter((row) => !sent.has(row.id)).map((row) => row.id), failure?.id ?? null, failure?.error.message.slice(0, 500) ?? null,
        );
      }
      return { published: published.length, error: failure?.error };
    }
    if (published.length) {
      await db.$executeRawUnsafe(`UPDATE "${schema}"."OutboxEvent" SET "publishedAt" = now() WHERE "id" = ANY($1::uuid[])`, published);
    }
    if (failure) {
      await db.$executeRawUnsafe(
        `UPDATE "${schema}"."OutboxEvent" SET "attempts" = "attempts" + 1, "lastError" = $2 WHERE "id" = $1::uuid`,
        failure.id, failure.error.message.slice(0, 500),
      );
    }
    return { published: published.length, error: failure?.error };
  }
}

/** Consecutive runs of rows with no aggregate twice, in outbox order. */
function wavesOf(rows: OutboxRow[]): OutboxRow[][] {
  const waves: OutboxRow[][] = [];
  let wave: OutboxRow[] = [];
  let aggregates = new Set<string>();
  for (const row of rows) {
    const key = `${row.aggregateType}:${row.aggregateId}`;
    if (aggregates.has(key)) {
      waves.push(wave);
      wave = [];
      aggregates = new Set();
    }
    wave.push(row);
    aggregates.add(key);
  }
  if (wave.length) waves.push(wave);
  return waves;
}

function toEnvelope(row: OutboxRow, committedAt: number | undefined): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    tenantId: row.tenantId,
    occurredAt: new Date(row.occurredAt).toISOString(),
    ...(committedAt === undefined ? {} : { committedAt: new Date(committedAt).toISOString() }),
    aggregateType: row.aggregateType,
    aggregateId: row.aggregateId,
    traceparent: row.traceparent,
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
  };
}
