import { subgraphFiles } from '#contracts';
import type { SubgraphDefinition } from '#platform/subgraph';
import { createOrdersContext, type OrdersContext } from './context.js';
import { createOrdersDb, type OrdersDb, type OrdersTx } from './db.js';
import { ordersConsumer } from './events/saga.consumer.js';
import { resolvers } from './resolvers/index.js';

/** The orders subgraph: orders, their lines and totals, and each user's orders. */
export function ordersSubgraph(): SubgraphDefinition<OrdersDb, OrdersTx, OrdersContext> {
  return {
    name: 'orders',
    ...subgraphFiles('orders'),
    createDb: createOrdersDb,
    resolvers,
    createContext: createOrdersContext,
    consumers: (runtime) => [ordersConsumer(runtime)],
  };
}
