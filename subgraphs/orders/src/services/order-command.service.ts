import { randomUUID } from 'node:crypto';
import { ConflictError, isId, NotFoundError, requireInt, requireText, ValidationError } from '#platform/errors';
import { createEvent } from '#platform/events';
import { OrderEvents } from '#contracts';
import type { OrdersContext } from '../context.js';
import { IdempotencyKeyReusedError, OrderStateError } from '../errors.js';
import type { Order } from '../generated/prisma/client.js';
import { canSee } from './order-query.service.js';
import { CANCELLABLE } from './order-status.js';

export const MAX_LINES = 100;
export const MAX_QUANTITY = 1000;
/** The largest total one order can carry, in minor units: the range of the amounts orders and payments store. */
export const MAX_ORDER_TOTAL = 2_147_483_647;

export interface PlaceOrderInput {
  idempotencyKey: string;
  items: { productId: string; quantity: number }[];
}

/** Checkout commands: each writes the order and its event together (one statement to place, a transaction to cancel). */
export class OrderCommandService {
  /**
   * Validates, prices every line from orders' copy of the catalog, writes the order PENDING with
   * its `orders.order.placed` event, and returns at once; the saga settles it. The same key from the
   * same customer returns the first order, also when both requests race (the second insert waits
   * for the first's transaction and writes nothing).
   */
  async place(ctx: OrdersContext, input: PlaceOrderInput): Promise<Order> {
    const { caller } = ctx;
    const idempotencyKey = requireText(input.idempotencyKey, 'input.idempotencyKey', { max: 200 });
    const lines = this.validateLines(input.items);

    // The key is claimed by the insert itself (one statement, no look-up first): when the customer
    // already used it, nothing is written and the first order is replayed.
    let created: Order | null;
    try {
      created = await this.insertUnlessKeyUsed(ctx, idempotencyKey, lines);
    } catch (error) {
      // a cart that cannot be priced now (a product gone, a price moved to another currency) may be
      // the retry of an order placed before: the key answers first, as it does for a valid cart
      if (!(error instanceof ValidationError)) throw error;
      const first = await ctx.repos.orders.findByIdempotencyKey(caller.userId, idempotencyKey);
      if (!first) throw error;
      return this.replay(ctx, first, lines);
    }
    if (created) return created;
    const first = await ctx.repos.orders.findByIdempotencyKey(caller.userId, idempotencyKey);
    // the key was taken by a transaction that has since gone (its order removed): the client may retry
    if (!first) throw new ConflictError('This idempotency key was used for an order that no longer exists; retry with a new key.');
    return this.replay(ctx, first, lines);
  }

  /**
   * The order written PENDING with its event, its lines priced by the statement that writes them;
   * null when the customer's key is already taken. A cart that cannot be priced, or whose total is
   * more than an order can carry, writes nothing and is refused with what is at fault.
   */
  private async insertUnlessKeyUsed(ctx: OrdersContext, idempotencyKey: string, lines: { productId: string; quantity: number }[]): Promise<Order | null> {
    const { caller } = ctx;
    const orderId = randomUUID();
    // one statement writes the order, its lines and this event (no transaction around it); the
    // statement puts the priced total into the payload it writes, and the copy kept here gets it below
    const placed = createEvent(OrderEvents.placed, {
      tenantId: caller.tenantId,
      aggregateId: orderId,
      payload: { orderId, customerId: caller.userId, lines: lines.map(({ productId, quantity }) => ({ productId, quantity })), total: { amount: 0, currency: '' } },
    });
    const { order: created, accepted } = await ctx.statementWithEvents(async (outbox) => {
      const outcome = await ctx.repos.orders.createPricedUnlessKeyUsed(
        { id: orderId, customerId: caller.userId, idempotencyKey, lines, maxTotal: MAX_ORDER_TOTAL },
        { outbox, event: placed },
      );
      const written = outcome.order ? [{ ...placed, payload: { ...placed.payload, total: { amount: outcome.order.totalAmount, currency: outcome.order.currency } } }] : [];
      return { result: outcome, written };
    });
    if (!accepted) throw await this.whyRefused(ctx, lines);
    return created;
  }

  /** Why a cart was refused: the first line without a price here, the currencies that differ, or a total too large. */
  private async whyRefused(tx: OrdersContext, lines: { productId: string; quantity: number }[]): Promise<Error> {
    const byId = new Map((await tx.repos.catalogProducts.findByIds(lines.map((l) => l.productId))).map((p) => [p.productId, p]));
    const index = lines.findIndex((line) => !byId.has(line.productId));
    if (index >= 0) return new ValidationError(`input.items[${index}].productId`, `input.items[${index}].productId is not a product of this shop.`);
    const currencies = new Set([...byId.values()].map((p) => p.currency));
    if (currencies.size > 1) return new ValidationError('input.items', `Products priced in different currencies (${[...currencies].join(', ')}) cannot share an order.`);
    const total = lines.reduce((sum, line) => sum + line.quantity * byId.get(line.productId)!.priceAmount, 0);
    if (total > MAX_ORDER_TOTAL) {
      return new ValidationError('input.items', `The order's total (${total} minor units of ${[...currencies][0]}) is more than one order can carry (${MAX_ORDER_TOTAL}); split it into smaller orders.`);
    }
    // acceptable now, not a moment ago: the catalog changed under the order
    return new ConflictError('The catalog changed while the order was placed; place it again.');
  }

  /** Cancels an order that has not shipped; the saga refunds and releases stock. */
  async cancel(ctx: OrdersContext, id: string): Promise<Order> {
    const { caller } = ctx;
    const order = isId(id) ? await ctx.loaders.orderById.load(id.toLowerCase()) : null;
    if (!order || !canSee(caller, order)) throw new NotFoundError('Order', id);
    if (order.status === 'CANCELLED') return order;
    const reason = caller.role === 'ADMIN' && order.customerId !== caller.userId ? 'Cancelled by the shop' : 'Cancelled by the customer';
    return ctx.transaction(async (tx) => {
      const cancelled = await tx.repos.orders.transition(order.id, CANCELLABLE, 'CANCELLED', reason);
      if (!cancelled) {
        throw new OrderStateError('ORDER_NOT_CANCELLABLE', `The order is ${order.status.toLowerCase()} and can no longer be cancelled.`, { status: order.status });
      }
      await tx.emit(
        createEvent(OrderEvents.cancelled, {
          tenantId: caller.tenantId,
          aggregateId: order.id,
          payload: { orderId: order.id, customerId: order.customerId, reason, requested: true, total: { amount: order.totalAmount, currency: order.currency } },
        }),
      );
      return cancelled;
    });
  }

  /**
   * The order a key already placed, when the cart is the same (a retry); a different cart under a
   * used key is a client bug that would otherwise lose the second cart silently: CONFLICT.
   */
  private async replay(ctx: OrdersContext, order: Order, lines: { productId: string; quantity: number }[]): Promise<Order> {
    const placed = await ctx.repos.orders.itemsOf([order.id]);
    const cart = (items: { productId: string; quantity: number }[]) => items.map((i) => `${i.productId}:${i.quantity}`).sort().join(',');
    if (cart(placed) !== cart(lines)) {
      throw new IdempotencyKeyReusedError(order.id);
    }
    return order;
  }

  private validateLines(items: PlaceOrderInput['items']): { productId: string; quantity: number }[] {
    if (!Array.isArray(items) || items.length === 0) throw new ValidationError('input.items', 'An order needs at least one line.');
    if (items.length > MAX_LINES) throw new ValidationError('input.items', `An order has at most ${MAX_LINES} lines.`);
    const seen = new Set<string>();
    return items.map((item, index) => {
      const field = `input.items[${index}]`;
      if (!isId(item.productId)) throw new ValidationError(`${field}.productId`, `${field}.productId is not a valid id.`);
      const productId = item.productId.toLowerCase();
      if (seen.has(productId)) throw new ValidationError(`${field}.productId`, `${field}.productId appears twice; put the whole quantity on one line.`);
      seen.add(productId);
      requireInt(item.quantity, `${field}.quantity`, { min: 1, max: MAX_QUANTITY });
      return { productId, quantity: item.quantity };
    });
  }
}
