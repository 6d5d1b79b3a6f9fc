import type { ConsumerOptions } from './bus.js';
import type { EventDefinition, EventEnvelope } from './event.js';
import type { Inbox, RawSql } from './outbox.js';
import type { EventSink, UnitOfWork } from './unit-of-work.js';

/** One event type a consumer handles, and how. */
export interface Route<TTx extends RawSql> {
  type: string;
  handle(event: EventEnvelope, runtime: ConsumerRuntime<TTx>, consumer: string): Promise<void>;
}

export interface ConsumerRuntime<TTx extends RawSql> {
  uow: UnitOfWork<TTx>;
  inbox: Inbox;
}

/**
 * The usual route: the effect, its events and the record of the event id commit in one
 * transaction, so a redelivered event finds its id and changes nothing.
 */
export function on<TTx extends RawSql, P>(
  definition: EventDefinition<P>,
  handle: (tx: TTx, event: EventEnvelope<P>, events: EventSink) => Promise<void>,
): Route<TTx> {
  return {
    type: definition.type,
    handle: (event, runtime, consumer) =>
      runtime.uow.execute(async (tx, events) => {
        if (!(await runtime.inbox.claim(tx, consumer, event.id))) return;
        await handle(tx, event as EventEnvelope<P>, events);
      }),
  };
}

/**
 * A route that manages its own transactions (e.g. around a call to an outside provider that must
 * not run inside one); it must claim the event id itself, in the transaction that records the effect.
 */
export function onOwnTransactions<TTx extends RawSql, P>(
  definition: EventDefinition<P>,
  handle: (event: EventEnvelope<P>, consumer: string) => Promise<void>,
): Route<TTx> {
  return { type: definition.type, handle: (event, _runtime, consumer) => handle(event as EventEnvelope<P>, consumer) };
}

/**
 * One durable consumer per subgraph over every type it handles: the bus keeps one aggregate's
 * events in order within a consumer, so e.g. an order's `placed` is handled before its `cancelled`.
 */
export function eventConsumer<TTx extends RawSql>(runtime: ConsumerRuntime<TTx>, consumer: string, routes: Route<TTx>[]): ConsumerOptions {
  const byType = new Map(routes.map((route) => [route.type, route]));
  return {
    consumer,
    types: [...byType.keys()],
    handler: async (event) => {
      const route = byType.get(event.type);
      if (route) await route.handle(event, runtime, consumer);
    },
  };
}
