import { on, type EventConsumer } from '#platform/subgraph';
import { CatalogEvents, OrderEvents } from '#contracts';
import type { InventoryData } from '../context.js';
import type { InventoryServices } from '../services/index.js';

/** Everything inventory reacts to, in one durable consumer so each order's events stay in order. */
export function inventoryConsumer({ stock, reservations }: InventoryServices): EventConsumer<InventoryData> {
  return {
    consumer: 'inventory',
    routes: [
      on(CatalogEvents.productCreated, (tx, event) => stock.openRecord(tx, event.payload.productId)),
      on(OrderEvents.placed, (tx, event) => reservations.reserve(tx, event)),
      on(OrderEvents.cancelled, (tx, event) => reservations.release(tx, event.payload.orderId, event)),
      on(OrderEvents.confirmed, (tx, event) => reservations.commit(tx, event.payload.orderId, event)),
    ],
  };
}
