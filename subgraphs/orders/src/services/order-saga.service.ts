import { OrderEvents, type Shortage } from '#contracts';
import { createEvent, type EventEnvelope, type EventSink } from '#platform/events';
import type { OrdersTx } from '../db.js';
import type { OrderStatus } from '../generated/prisma/client.js';
import { CatalogProductRepository } from '../repositories/catalog-product.repository.js';
import { OrderRepository } from '../repositories/order.repository.js';
import { statusesBefore } from './order-status.js';

/**
 * Orders' part of the checkout saga: it moves orders along as the other subgraphs report back.
 * Every method runs inside the consumer's transaction, with the event id already claimed.
 */
export class OrderSagaService {
  constructor(
    private readonly tx: OrdersTx,
    private readonly events: EventSink,
    private readonly tenantId: string,
  ) {}

  private get orders(): OrderRepository {
    return new OrderRepository(this.tx, this.tenantId);
  }

  async confirm(orderId: string, source: EventEnvelope): Promise<void> {
    const order = await this.orders.transition(orderId, statusesBefore('CONFIRMED'), 'CONFIRMED', null);
    if (order) await this.events.emit(createEvent(OrderEvents.confirmed, this.fields(orderId, source, { orderId, customerId: order.customerId })));
  }

  /** Cancels a pending order for a reason a person can read; what was done is undone downstream. */
  async cancel(orderId: string, reason: string, source: EventEnvelope): Promise<void> {
    const order = await this.orders.transition(orderId, ['PENDING'], 'CANCELLED', reason);
    if (order) {
      await this.events.emit(createEvent(OrderEvents.cancelled, this.fields(orderId, source, { orderId, customerId: order.customerId, reason, requested: false, total: { amount: order.totalAmount, currency: order.currency } })));
    }
  }

  async cancelForShortage(orderId: string, shortages: Shortage[], source: EventEnvelope): Promise<void> {
    await this.cancel(orderId, await this.shortageReason(shortages), source);
  }

  async advance(orderId: string, to: Extract<OrderStatus, 'SHIPPED' | 'DELIVERED'>, source: EventEnvelope): Promise<void> {
    // A delivery reported before the pickup was handled still ends in DELIVERED.
    if (to === 'DELIVERED') await this.orders.transition(orderId, ['CONFIRMED'], 'SHIPPED', null);
    const order = await this.orders.transition(orderId, statusesBefore(to), to, null);
    if (!order) return;
    const definition = to === 'SHIPPED' ? OrderEvents.shipped : OrderEvents.delivered;
    await this.events.emit(createEvent(definition, this.fields(orderId, source, { orderId, customerId: order.customerId })));
  }

  /** "Only 1 of 'Blue Mug' left", from orders' own copy of product names. */
  private async shortageReason(shortages: Shortage[]): Promise<string> {
    const names = new Map((await new CatalogProductRepository(this.tx, this.tenantId).findByIds(shortages.map((s) => s.productId))).map((p) => [p.productId, p.name]));
    const parts = shortages.map((s) => {
      const name = names.get(s.productId) ?? 'a product';
      return s.available <= 0 ? `'${name}' is out of stock` : `Only ${s.available} of '${name}' left`;
    });
    return parts.join('; ');
  }

  private fields<P>(orderId: string, source: EventEnvelope, payload: P) {
    return { tenantId: this.tenantId, aggregateId: orderId, payload, traceparent: source.traceparent };
  }
}
