import type { EventEnvelope } from './event.js';
import type { Outbox, RawSql } from './outbox.js';

/** Collects the events of one transaction; they are written to the outbox inside it. */
export interface EventSink {
  emit(event: EventEnvelope): Promise<void>;
  /** Several events in one outbox statement, in the order given. */
  emitAll(events: readonly EventEnvelope[]): Promise<void>;
}

/**
 * Services own transactions through this: the state change and its outbox events commit together,
 * and the relay is told, right after the commit, which events committed and when.
 */
export class UnitOfWork<TTx extends RawSql> {
  constructor(
    private readonly runInTransaction: <R>(fn: (tx: TTx) => Promise<R>) => Promise<R>,
    readonly outbox: Outbox,
    private readonly afterCommit: (eventIds: readonly string[], committedAt: number) => void,
  ) {}

  async execute<R>(work: (tx: TTx, events: EventSink) => Promise<R>): Promise<R> {
    let emitted: string[] = [];
    const result = await this.runInTransaction((tx) => {
      // a transaction run again (a retried batch) starts from nothing
      emitted = [];
      return work(tx, {
        emit: async (event) => {
          await this.outbox.add(tx, event);
          emitted.push(event.id);
        },
        emitAll: async (events) => {
          await this.outbox.addMany(tx, events);
          for (const event of events) emitted.push(event.id);
        },
      });
    });
    if (emitted.length) this.afterCommit(emitted, Date.now());
    return result;
  }

  /**
   * Events that a single statement wrote with its change (`Outbox.cte`) and that have committed
   * with it: the relay is told as after a transaction's commit.
   */
  committedAlone(eventIds: readonly string[]): void {
    if (eventIds.length) this.afterCommit(eventIds, Date.now());
  }
}
