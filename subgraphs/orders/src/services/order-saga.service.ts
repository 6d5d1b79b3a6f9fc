import { createEvent, type EventEnvelope } from '#platform/events';
import { OrderEvents, type Shortage } from '#contracts';
import type { OrdersTransaction } from '../context.js';
import type { OrderStatus } from '../generated/prisma/client.js';
import { statusesBefore } from './order-status.js';

/**
 * Orders' part of the checkout saga: it moves orders along as the other subgraphs report back.
 * Every method runs inside the consumer's transaction, with the event id already claimed.
 */
export class OrderSagaService {
  async confirm(tx: OrdersTransaction, orderId: string, source: EventEnvelope): Promise<void> {
    const order = await tx.repos.orders.transition(orderId, statusesBefore('CONFIRMED'), 'CONFIRMED', null);
    if (order) await tx.emit(createEvent(OrderEvents.confirmed, this.fields(tx, orderId, source, { orderId, customerId: order.customerId })));
  }

  /** Cancels a pending order for a reason a person can read; what was done is undone downstream. */
  async cancel(tx: OrdersTransaction, orderId: string, reason: string, source: EventEnvelope): Promise<void> {
    const order = await tx.repos.orders.transition(orderId, ['PENDING'], 'CANCELLED', reason);
    if (order) {
      await tx.emit(
        createEvent(OrderEvents.cancelled, this.fields(tx, orderId, source, { orderId, customerId: order.customerId, reason, requested: false, total: { amount: order.totalAmount, currency: order.currency } })),
      );
    }
  }

  async cancelForShortage(tx: OrdersTransaction, orderId: string, shortages: Shortage[], source: EventEnvelope): Promise<void> {
    await this.cancel(tx, orderId, await this.shortageReason(tx, shortages), source);
  }

  async advance(tx: OrdersTransaction, orderId: string, to: Extract<OrderStatus, 'SHIPPED' | 'DELIVERED'>, source: EventEnvelope): Promise<void> {
    // A delivery reported before the pickup was handled still ends in DELIVERED.
    if (to === 'DELIVERED') await tx.repos.orders.transition(orderId, ['CONFIRMED'], 'SHIPPED', null);
    const order = await tx.repos.orders.transition(orderId, statusesBefore(to), to, null);
    if (!order) return;
    const definition = to === 'SHIPPED' ? OrderEvents.shipped : OrderEvents.delivered;
    await tx.emit(createEvent(definition, this.fields(tx, orderId, source, { orderId, customerId: order.customerId })));
  }

  /** "Only 1 of 'Blue Mug' left", from orders' own copy of product names. */
  private async shortageReason(tx: OrdersTransaction, shortages: Shortage[]): Promise<string> {
    const names = new Map((await tx.repos.catalogProducts.findByIds(shortages.map((s) => s.productId))).map((p) => [p.productId, p.name]));
    const parts = shortages.map((s) => {
      const name = names.get(s.productId) ?? 'a product';
      return s.available <= 0 ? `'${name}' is out of stock` : `Only ${s.available} of '${name}' left`;
    });
    return parts.join('; ');
  }

  private fields<P>(tx: OrdersTransaction, orderId: string, source: EventEnvelope, payload: P) {
    return { tenantId: tx.tenantId, aggregateId: orderId, payload, traceparent: source.traceparent };
  }
}
