import type { DataAccess, RequestContext, TransactionContext } from '#platform/subgraph';
import type { ShippingClient } from './db.js';
import { createShippingLoaders, type ShippingLoaders } from './loaders/index.js';
import { ShipmentRepository } from './repositories/shipment.repository.js';

export interface ShippingRepositories {
  shipments: ShipmentRepository;
}

export interface ShippingData {
  repos: ShippingRepositories;
  loaders: ShippingLoaders;
  directory: Record<string, never>;
}

/** How shipping reaches its data: repositories bound to the context's tenant, and loaders over them. */
export const shippingData: DataAccess<ShippingClient, ShippingData> = {
  repositories: (db, tenantId) => ({ shipments: new ShipmentRepository(db, tenantId) }),
  loaders: createShippingLoaders,
};

/** What every shipping service method takes first. */
export type ShippingContext = RequestContext<ShippingData>;
export type ShippingTransaction = TransactionContext<ShippingData>;
