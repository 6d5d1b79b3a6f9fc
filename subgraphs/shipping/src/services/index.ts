import { FulfilmentService } from './fulfilment.service.js';
import { ShipmentQueryService } from './shipment-query.service.js';

/** Shipping's services, made once per process; every method takes the request context first. */
export function createShippingServices() {
  return { shipments: new ShipmentQueryService(), fulfilment: new FulfilmentService() };
}

export type ShippingServices = ReturnType<typeof createShippingServices>;
