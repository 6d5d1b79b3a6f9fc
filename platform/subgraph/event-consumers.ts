import type { EventDefinition, EventEnvelope } from '../events/event.js';
import type { ContextData, RequestContext, TransactionContext } from './request-context.js';

/** One event type a consumer handles, and how, in a context made for that event. */
export interface Route<D extends ContextData> {
  type: string;
  handle(ctx: RequestContext<D>, event: EventEnvelope): Promise<void>;
  /**
   * The effect alone, inside a transaction that has claimed the event already: routes that have
   * it may be applied in a batch, several events in one transaction (event-batches.ts).
   */
  apply?(tx: TransactionContext<D>, event: EventEnvelope): Promise<void>;
}

/**
 * One durable consumer per subgraph over every type it handles: the bus keeps one aggregate's
 * events in order within a consumer, so e.g. an order's `placed` is handled before its `cancelled`.
 */
export interface EventConsumer<D extends ContextData> {
  consumer: string;
  routes: Route<D>[];
}

/**
 * The usual route: the effect, its events and the record of the event id commit in one
 * transaction, so a redelivered event finds its id and changes nothing.
 */
export function on<D extends ContextData, P>(
  definition: EventDefinition<P>,
  handle: (tx: TransactionContext<D>, event: EventEnvelope<P>) => Promise<void>,
): Route<D> {
  return {
    type: definition.type,
    handle: async (ctx, event) => void (await ctx.transactionOnce((tx) => handle(tx, event as EventEnvelope<P>))),
    apply: (tx, event) => handle(tx, event as EventEnvelope<P>),
  };
}

/**
 * A route that manages its own transactions (e.g. around a call to an outside provider that must
 * not run inside one); it claims the event in the transaction that records the effect
 * (`ctx.transactionOnce`, or `tx.claimEvent()` where the claim must be weighed with what it reads).
 */
export function onOwnTransactions<D extends ContextData, P>(
  definition: EventDefinition<P>,
  handle: (ctx: RequestContext<D>, event: EventEnvelope<P>) => Promise<void>,
): Route<D> {
  return { type: definition.type, handle: (ctx, event) => handle(ctx, event as EventEnvelope<P>) };
}
