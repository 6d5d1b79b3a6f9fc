import type { SubgraphDefinition } from '#platform/subgraph';
import { subgraphFiles } from '#contracts';
import { inventoryData, type InventoryData } from './context.js';
import { createInventoryDb, type InventoryDb, type InventoryTx } from './db.js';
import { inventoryConsumer } from './events/saga.consumer.js';
import { resolvers } from './resolvers/index.js';
import { createInventoryServices, type InventoryServices } from './services/index.js';

/** The inventory subgraph: stock levels and their ledger. */
export function inventorySubgraph(): SubgraphDefinition<InventoryDb, InventoryTx, InventoryData, InventoryServices> {
  return {
    name: 'inventory',
    ...subgraphFiles('inventory'),
    createDb: createInventoryDb,
    data: inventoryData,
    services: createInventoryServices,
    resolvers,
    consumers: (services) => [inventoryConsumer(services)],
  };
}
