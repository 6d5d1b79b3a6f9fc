import type { ConsumerOptions } from './bus.js';
import type { EventDefinition, EventEnvelope } from './event.js';
import type { Inbox, RawSql } from './outbox.js';
import type { EventSink, UnitOfWork } from './unit-of-work.js';

/**
 * A consumer whose effect and the record of the event id commit in one transaction: a redelivered
 * event finds its id already recorded and changes nothing.
 */
export function idempotentConsumer<TTx extends RawSql, P>(
  runtime: { uow: UnitOfWork<TTx>; inbox: Inbox },
  consumer: string,
  definition: EventDefinition<P>,
  handle: (tx: TTx, event: EventEnvelope<P>, events: EventSink) => Promise<void>,
): ConsumerOptions {
  return {
    consumer,
    types: [definition.type],
    handler: (event) =>
      runtime.uow.execute(async (tx, events) => {
        if (!(await runtime.inbox.claim(tx, consumer, event.id))) return;
        await handle(tx, event as EventEnvelope<P>, events);
      }),
  };
}
