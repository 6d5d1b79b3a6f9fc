import { on, type EventConsumer } from '#platform/subgraph';
import { CatalogEvents, InventoryEvents, PaymentEvents, ShipmentEvents } from '#contracts';
import type { OrdersData } from '../context.js';
import type { OrdersServices } from '../services/index.js';

/** Everything orders reacts to, in one durable consumer so each order's events stay in order. */
export function ordersConsumer({ saga, priceList }: OrdersServices): EventConsumer<OrdersData> {
  return {
    consumer: 'orders',
    routes: [
      on(CatalogEvents.productCreated, (tx, event) => priceList.record(tx, event.payload)),
      on(InventoryEvents.reservationFailed, (tx, event) => saga.cancelForShortage(tx, event.payload.orderId, event.payload.shortages, event)),
      on(PaymentEvents.captured, (tx, event) => saga.confirm(tx, event.payload.orderId, event)),
      on(PaymentEvents.failed, (tx, event) => saga.cancel(tx, event.payload.orderId, event.payload.reason, event)),
      on(ShipmentEvents.shipped, (tx, event) => saga.advance(tx, event.payload.orderId, 'SHIPPED', event)),
      on(ShipmentEvents.delivered, (tx, event) => saga.advance(tx, event.payload.orderId, 'DELIVERED', event)),
    ],
  };
}
