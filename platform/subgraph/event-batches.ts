import type { EventEnvelope } from '../events/event.js';
import type { Inbox, RawSql } from '../events/outbox.js';
import type { EventSink, UnitOfWork } from '../events/unit-of-work.js';
import type { Logger } from '../observability/logger.js';
import { batchedEventContext, type ContextData, type ContextRuntime, type EventBatch, type TransactionContext } from './request-context.js';

interface Item<D extends ContextData> {
  event: EventEnvelope;
  work: (tx: TransactionContext<D>) => Promise<unknown>;
  /** The batch claims the event (an `on()` route); otherwise the work claims it itself, if it does. */
  preclaimed: boolean;
  result?: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Applies one consumer's events in batches: the events the bus hands over while a batch runs, and in
 * the turn it ends, (up to `size`) make the next one, and a batch is one transaction. The inbox ids of `on()` routes are
 * claimed in one statement and the events the handlers emit are written to the outbox in one; a
 * route that runs its own transactions (`onOwnTransactions`) has each of them join a batch too.
 * Each promise settles once the transaction is over, so the bus acks an event only after its effect
 * committed.
 *
 * One event that fails must not take the others down with it. A batch is first tried without
 * savepoints (they cost two statements an event); if anything in it fails, the transaction rolls
 * back and the batch runs again with a savepoint around each event: the failing one is rolled back
 * to its savepoint, its claim taken back and its events dropped, and it alone goes back to the bus
 * (retried with backoff, then dead-lettered); the rest commit.
 *
 * The bus keeps one aggregate's events in order (the next waits for the previous one's promise),
 * so a batch never holds two events of one aggregate of this consumer.
 */
export class BatchRunner<TClient, D extends ContextData> implements EventBatch {
  private queue: Item<D>[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly consumer: string,
    private readonly size: number,
    private readonly runtime: ContextRuntime<TClient, D> & { uow: UnitOfWork<RawSql>; inbox: Inbox },
    private readonly logger: Logger,
  ) {}

  /** Resolves with what `work` returned once its transaction has committed; rejects with its error. */
  submit<R>(event: EventEnvelope, work: (tx: TransactionContext<D>) => Promise<R>, preclaimed: boolean): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ event, work, preclaimed, resolve: resolve as (value: unknown) => void, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // the rest of this turn's deliveries join the batch
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /**
   * Runs one batch; what waits meanwhile starts the next one a turn later, so that the events the
   * batch's own callers hand back as it settles (a charge's outcome after its payment was opened)
   * join the ones already waiting instead of leaving in a batch of their own.
   */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.run(this.queue.splice(0, this.size));
    } finally {
      this.running = false;
      if (this.queue.length) this.kick();
    }
  }

  private async run(batch: Item<D>[]): Promise<void> {
    try {
      await this.transaction(batch, false);
      for (const item of batch) item.resolve(item.result);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      this.logger.warn({ consumer: this.consumer, events: batch.length, err: (error as Error).message }, 'event batch failed; applying it again event by event under savepoints');
    }
    let failures: Map<Item<D>, unknown>;
    try {
      failures = await this.transaction(batch, true);
    } catch (error) {
      // the transaction itself failed (connection, commit): every event goes back to the bus
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      if (failures.has(item)) item.reject(failures.get(item));
      else item.resolve(item.result);
    }
  }

  /** One transaction over the batch; with savepoints, returns the events that failed (without, throws at the first). */
  private async transaction(batch: Item<D>[], savepoints: boolean): Promise<Map<Item<D>, unknown>> {
    const failures = new Map<Item<D>, unknown>();
    await this.runtime.uow.execute(async (tx, sink) => {
      const toClaim = batch.filter((item) => item.preclaimed).map((item) => item.event.id);
      const claimed = toClaim.length ? await this.runtime.inbox.claimMany(tx, this.consumer, toClaim) : new Set<string>();
      const emitted: EventEnvelope[] = [];
      for (const item of batch) {
        item.result = undefined;
        // a redelivery of an event already applied: nothing to do
        if (item.preclaimed && !claimed.has(item.event.id)) continue;
        const own: EventEnvelope[] = [];
        const itemSink: EventSink = {
          emit: async (event) => void own.push(event),
          emitAll: async (events) => void own.push(...events),
        };
        const ctx = batchedEventContext(this.runtime, this.logger, this.consumer, item.event, tx as unknown as TClient, itemSink, item.preclaimed ? true : undefined);
        if (!savepoints) {
          item.result = await item.work(ctx);
          emitted.push(...own);
          continue;
        }
        await tx.$executeRawUnsafe('SAVEPOINT batch_event');
        try {
          item.result = await item.work(ctx);
          await tx.$executeRawUnsafe('RELEASE SAVEPOINT batch_event');
          emitted.push(...own);
        } catch (error) {
          await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT batch_event');
          await tx.$executeRawUnsafe('RELEASE SAVEPOINT batch_event');
          if (item.preclaimed) await this.runtime.inbox.unclaim(tx, this.consumer, item.event.id);
          failures.set(item, error);
        }
      }
      await sink.emitAll(emitted);
    });
    return failures;
  }
}
