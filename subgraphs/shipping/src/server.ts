import type { SubgraphDefinition } from '#platform/subgraph';
import { subgraphFiles } from '#contracts';
import { shippingData, type ShippingData } from './context.js';
import { createShippingDb, type ShippingDb, type ShippingTx } from './db.js';
import { shippingConsumer } from './events/saga.consumer.js';
import { resolvers } from './resolvers/index.js';
import { createShippingServices, type ShippingServices } from './services/index.js';

/** The shipping subgraph: the delivery of each order. */
export function shippingSubgraph(): SubgraphDefinition<ShippingDb, ShippingTx, ShippingData, ShippingServices> {
  return {
    name: 'shipping',
    ...subgraphFiles('shipping'),
    createDb: createShippingDb,
    data: shippingData,
    services: createShippingServices,
    resolvers,
    consumers: (services) => [shippingConsumer(services)],
  };
}
