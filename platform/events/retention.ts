import type { Logger } from '../observability/logger.js';
import { withoutTracing } from '../observability/trace-context.js';
import { retentionDeleted } from '../observability/metrics.js';
import type { RawSql } from './outbox.js';

export interface RetentionOptions {
  service: string;
  /** The subgraph's Postgres schema, which holds its OutboxEvent and ProcessedEvent. */
  schema: string;
  db: RawSql;
  logger: Logger;
  /** Published outbox events are kept this long (for replays, OPERATIONS.md); 0 keeps them for ever. */
  outboxHours: number;
  /** Consumed event ids are kept this long: a delivery of the same event after that would apply again. 0 keeps them for ever. */
  inboxHours: number;
  /** How often old rows are looked for. */
  intervalMs: number;
  /** Rows one statement deletes at most, so that no statement holds locks for long. */
  batchSize?: number;
}

/** Statements one pass runs at most per table; what is left waits for the next pass. */
const MAX_BATCHES_PER_PASS = 20;

/**
 * Keeps the outbox and the inbox from growing for ever. Each order leaves about six outbox rows and
 * five inbox ids across the subgraphs it crosses, and neither table had a way out.
 * Every `intervalMs`, rows older than their retention are deleted in batches of `batchSize`: outbox
 * events once published (an unpublished one is never touched, however old), inbox ids by when they
 * were consumed. Replicas may all prune: each statement skips rows another one holds.
 */
export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: RetentionOptions) {}

  start(): void {
    if (this.options.outboxHours === 0 && this.options.inboxHours === 0) return;
    this.schedule();
  }

  /** Ends the timer; a pass under way stops after its current statement. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass now: deletes what is past retention (at most MAX_BATCHES_PER_PASS statements per table). */
  async prune(): Promise<{ outbox: number; inbox: number }> {
    const { schema, outboxHours, inboxHours } = this.options;
    const outbox = outboxHours
      ? await this.deleteInBatches(
          'outbox',
          `DELETE FROM "${schema}"."OutboxEvent" WHERE "id" IN (
             SELECT "id" FROM "${schema}"."OutboxEvent"
              WHERE "publishedAt" < now() - make_interval(hours => $1) ORDER BY "publishedAt" LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          outboxHours,
        )
      : 0;
    const inbox = inboxHours
      ? await this.deleteInBatches(
          'inbox',
          `DELETE FROM "${schema}"."ProcessedEvent" WHERE ("consumer", "eventId") IN (
             SELECT "consumer", "eventId" FROM "${schema}"."ProcessedEvent"
              WHERE "processedAt" < now() - make_interval(hours => $1) ORDER BY "processedAt" LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          inboxHours,
        )
      : 0;
    return { outbox, inbox };
  }

  private async deleteInBatches(table: 'outbox' | 'inbox', sql: string, hours: number): Promise<number> {
    const batchSize = this.options.batchSize ?? 5_000;
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS && !this.stopped; batch += 1) {
      const count = await this.options.db.$executeRawUnsafe(sql, hours, batchSize);
      deleted += count;
      if (count < batchSize) break;
    }
    if (deleted) retentionDeleted.inc({ service: this.options.service, table }, deleted);
    return deleted;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.running = withoutTracing(async () => {
      try {
        const { outbox, inbox } = await this.prune();
        if (outbox || inbox) this.options.logger.info({ outbox, inbox }, 'deleted outbox events and inbox ids past retention');
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, 'retention pass failed; will try again');
      }
    });
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule();
  }
}
