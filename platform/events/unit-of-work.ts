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
 * and the relay is told to publish right after the commit.
 */
export class UnitOfWork<TTx extends RawSql> {
  constructor(
    private readonly runInTransaction: <R>(fn: (tx: TTx) => Promise<R>) => Promise<R>,
    private readonly outbox: Outbox,
    private readonly afterCommit: () => void,
  ) {}

  async execute<R>(work: (tx: TTx, events: EventSink) => Promise<R>): Promise<R> {
    let emitted = false;
    const result = await this.runInTransaction((tx) =>
      work(tx, {
        emit: async (event) => {
          emitted = true;
          await this.outbox.add(tx, event);
        },
        emitAll: async (events) => {
          if (events.length) emitted = true;
          await this.outbox.addMany(tx, events);
        },
      }),
    );
    if (emitted) this.afterCommit();
    return result;
  }
}
