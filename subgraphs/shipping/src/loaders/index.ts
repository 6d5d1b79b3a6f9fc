import { loaderById } from '#platform/subgraph';
import type { Shipment } from '../generated/prisma/client.js';
import type { ShipmentRepository } from '../repositories/shipment.repository.js';

/** Per-request loaders, made with every context. */
export function createShippingLoaders(repos: { shipments: ShipmentRepository }) {
  return {
    shipmentById: loaderById<Shipment>((ids) => repos.shipments.findByIds(ids), (s) => s.id),
    shipmentByOrderId: loaderById<Shipment>((ids) => repos.shipments.findByOrderIds(ids), (s) => s.orderId),
  };
}

export type ShippingLoaders = ReturnType<typeof createShippingLoaders>;
