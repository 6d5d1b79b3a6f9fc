import { eventConsumer, on } from '#platform/events';
import { CatalogEvents, OrderEvents } from '#contracts';
import type { InventoryRuntime } from '../context.js';
import type { InventoryTx } from '../db.js';
import { StockRepository } from '../repositories/stock.repository.js';
import { ReservationService } from '../services/reservation.service.js';

/** Everything inventory reacts to, in one durable consumer so each order's events stay in order. */
export function inventoryConsumer(runtime: InventoryRuntime) {
  return eventConsumer<InventoryTx>(runtime, 'inventory', [
    // A new product starts with an empty stock record, so admins can stock it.
    on(CatalogEvents.productCreated, (tx, event) => new StockRepository(tx, event.tenantId).createForProduct(event.payload.productId)),
    on(OrderEvents.placed, (tx, event, events) => new ReservationService(tx, events, event.tenantId).reserve(event)),
    on(OrderEvents.cancelled, (tx, event, events) => new ReservationService(tx, events, event.tenantId).release(event.payload.orderId, event)),
    on(OrderEvents.confirmed, (tx, event, events) => new ReservationService(tx, events, event.tenantId).commit(event.payload.orderId, event)),
  ]);
}
