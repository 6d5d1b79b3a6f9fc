import type { EventEnvelope } from '../events/event.js';
import type { Inbox, RawSql } from '../events/outbox.js';
import type { EventSink, UnitOfWork } from '../events/unit-of-work.js';
import type { Logger } from '../observability/logger.js';
import { batchedEventContext, type ContextData, type ContextRuntime, type TransactionContext } from './request-context.js';

interface Item<D extends ContextData> {
  event: EventEnvelope;
  apply: (tx: TransactionContext<D>, event: EventEnvelope) => Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Applies one consumer's events in batches: the events the bus hands over while a batch runs (up to
 * `size`) make the next one, and a batch is one transaction. Its inbox ids are claimed in one
 * statement and the events its handlers emit are written to the outbox in one; each event's promise
 * settles once the transaction is over, so the bus acks it only after its effect committed.
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
export class BatchRunner<TClient, D extends ContextData> {
  private queue: Item<D>[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly consumer: string,
    private readonly size: number,
    private readonly runtime: ContextRuntime<TClient, D> & { uow: UnitOfWork<RawSql>; inbox: Inbox },
    private readonly logger: Logger,
  ) {}

  /** Resolves once the event's effect has committed (or it was a redelivery); rejects with its handler's error. */
  submit(event: EventEnvelope, apply: Item<D>['apply']): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ event, apply, resolve, reject });
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

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.size);
        await this.run(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(batch: Item<D>[]): Promise<void> {
    try {
      await this.transaction(batch, false);
      for (const item of batch) item.resolve();
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
      else item.resolve();
    }
  }

  /** One transaction over the batch; with savepoints, returns the events that failed (without, throws at the first). */
  private async transaction(batch: Item<D>[], savepoints: boolean): Promise<Map<Item<D>, unknown>> {
    const failures = new Map<Item<D>, unknown>();
    await this.runtime.uow.execute(async (tx, sink) => {
      const claimed = await this.runtime.inbox.claimMany(tx, this.consumer, batch.map((item) => item.event.id));
      const emitted: EventEnvelope[] = [];
      for (const item of batch) {
        // a redelivery of an event already applied: nothing to do
        if (!claimed.has(item.event.id)) continue;
        const own: EventEnvelope[] = [];
        const itemSink: EventSink = {
          emit: async (event) => void own.push(event),
          emitAll: async (events) => void own.push(...events),
        };
        const ctx = batchedEventContext(this.runtime, this.logger, this.consumer, item.event, tx as unknown as TClient, itemSink, true);
        if (!savepoints) {
          await item.apply(ctx, item.event);
          emitted.push(...own);
          continue;
        }
        await tx.$executeRawUnsafe('SAVEPOINT batch_event');
        try {
          await item.apply(ctx, item.event);
          await tx.$executeRawUnsafe('RELEASE SAVEPOINT batch_event');
          emitted.push(...own);
        } catch (error) {
          await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT batch_event');
          await tx.$executeRawUnsafe('RELEASE SAVEPOINT batch_event');
          await this.runtime.inbox.unclaim(tx, this.consumer, item.event.id);
          failures.set(item, error);
        }
      }
      await sink.emitAll(emitted);
    });
    return failures;
  }
}
