import { ReservationService } from './reservation.service.js';
import { StockService } from './stock.service.js';

/** Inventory's services, made once per process; every method takes the request context first. */
export function createInventoryServices() {
  return { stock: new StockService(), reservations: new ReservationService() };
}

export type InventoryServices = ReturnType<typeof createInventoryServices>;
