import { subgraphFiles } from '#contracts';
import type { SubgraphDefinition } from '#platform/subgraph';
import { createShippingContext, type ShippingContext } from './context.js';
import { createShippingDb, type ShippingDb, type ShippingTx } from './db.js';
import { shippingConsumer } from './events/saga.consumer.js';
import { resolvers } from './resolvers/index.js';

/** The shipping subgraph: the delivery of each order. */
export function shippingSubgraph(): SubgraphDefinition<ShippingDb, ShippingTx, ShippingContext> {
  return {
    name: 'shipping',
    ...subgraphFiles('shipping'),
    createDb: createShippingDb,
    resolvers,
    createContext: createShippingContext,
    consumers: (runtime) => [shippingConsumer(runtime)],
  };
}
