import type { DataAccess, RequestContext, TransactionContext } from '#platform/subgraph';
import type { OrdersClient } from './db.js';
import { createOrdersLoaders, type OrdersLoaders } from './loaders/index.js';
import { CatalogProductRepository } from './repositories/catalog-product.repository.js';
import { OrderRepository } from './repositories/order.repository.js';

export interface OrdersRepositories {
  orders: OrderRepository;
  catalogProducts: CatalogProductRepository;
}

export interface OrdersData {
  repos: OrdersRepositories;
  loaders: OrdersLoaders;
  directory: Record<string, never>;
}

/** How orders reaches its data: repositories bound to the context's tenant, and loaders over them. */
export const ordersData: DataAccess<OrdersClient, OrdersData> = {
  repositories: (db, tenantId) => ({ orders: new OrderRepository(db, tenantId), catalogProducts: new CatalogProductRepository(db, tenantId) }),
  loaders: createOrdersLoaders,
};

/** What every orders service method takes first. */
export type OrdersContext = RequestContext<OrdersData>;
export type OrdersTransaction = TransactionContext<OrdersData>;
