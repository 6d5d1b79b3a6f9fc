import { eventConsumer, on } from '#platform/events';
import { CatalogEvents, InventoryEvents, PaymentEvents, ShipmentEvents } from '#contracts';
import type { OrdersRuntime } from '../context.js';
import type { OrdersTx } from '../db.js';
import { CatalogProductRepository } from '../repositories/catalog-product.repository.js';
import { OrderSagaService } from '../services/order-saga.service.js';

/** Everything orders reacts to, in one durable consumer so each order's events stay in order. */
export function ordersConsumer(runtime: OrdersRuntime) {
  return eventConsumer<OrdersTx>(runtime, 'orders', [
    on(CatalogEvents.productCreated, async (tx, event) => {
      const { productId, sku, name, price } = event.payload;
      await new CatalogProductRepository(tx, event.tenantId).upsert({ productId, sku, name, priceAmount: price.amount, currency: price.currency });
    }),
    on(InventoryEvents.reservationFailed, (tx, event, events) =>
      new OrderSagaService(tx, events, event.tenantId).cancelForShortage(event.payload.orderId, event.payload.shortages, event)),
    on(PaymentEvents.captured, (tx, event, events) => new OrderSagaService(tx, events, event.tenantId).confirm(event.payload.orderId, event)),
    on(PaymentEvents.failed, (tx, event, events) =>
      new OrderSagaService(tx, events, event.tenantId).cancel(event.payload.orderId, event.payload.reason, event)),
    on(ShipmentEvents.shipped, (tx, event, events) => new OrderSagaService(tx, events, event.tenantId).advance(event.payload.orderId, 'SHIPPED', event)),
    on(ShipmentEvents.delivered, (tx, event, events) => new OrderSagaService(tx, events, event.tenantId).advance(event.payload.orderId, 'DELIVERED', event)),
  ]);
}
