import type { DataAccess, RequestContext, TransactionContext } from '#platform/subgraph';
import type { InventoryClient } from './db.js';
import { createInventoryLoaders, type InventoryLoaders } from './loaders/index.js';
import { ReservationRepository } from './repositories/reservation.repository.js';
import { StockRepository } from './repositories/stock.repository.js';

export interface InventoryRepositories {
  stock: StockRepository;
  reservations: ReservationRepository;
}

export interface InventoryData {
  repos: InventoryRepositories;
  loaders: InventoryLoaders;
  directory: Record<string, never>;
}

/** How inventory reaches its data: repositories bound to the context's tenant, and loaders over them. */
export const inventoryData: DataAccess<InventoryClient, InventoryData> = {
  repositories: (db, tenantId) => ({ stock: new StockRepository(db, tenantId), reservations: new ReservationRepository(db, tenantId) }),
  loaders: createInventoryLoaders,
};

/** What every inventory service method takes first. */
export type InventoryContext = RequestContext<InventoryData>;
export type InventoryTransaction = TransactionContext<InventoryData>;
