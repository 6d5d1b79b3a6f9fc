import type { SubgraphDefinition } from '#platform/subgraph';
import { subgraphFiles } from '#contracts';
import { ordersData, type OrdersData } from './context.js';
import { createOrdersDb, type OrdersDb, type OrdersTx } from './db.js';
import { ordersConsumer } from './events/saga.consumer.js';
import { resolvers } from './resolvers/index.js';
import { createOrdersServices, type OrdersServices } from './services/index.js';

/** The orders subgraph: orders, their lines and totals, and each user's orders. */
export function ordersSubgraph(): SubgraphDefinition<OrdersDb, OrdersTx, OrdersData, OrdersServices> {
  return {
    name: 'orders',
    ...subgraphFiles('orders'),
    createDb: createOrdersDb,
    data: ordersData,
    services: createOrdersServices,
    resolvers,
    consumers: (services) => [ordersConsumer(services)],
  };
}
