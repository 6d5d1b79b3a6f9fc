import { subgraphFiles } from '#contracts';
import type { SubgraphDefinition } from '#platform/subgraph';
import { createInventoryContext, type InventoryContext } from './context.js';
import { createInventoryDb, type InventoryDb, type InventoryTx } from './db.js';
import { inventoryConsumer } from './events/saga.consumer.js';
import { resolvers } from './resolvers/index.js';

/** The inventory subgraph: stock levels and their ledger. */
export function inventorySubgraph(): SubgraphDefinition<InventoryDb, InventoryTx, InventoryContext> {
  return {
    name: 'inventory',
    ...subgraphFiles('inventory'),
    createDb: createInventoryDb,
    resolvers,
    createContext: createInventoryContext,
    consumers: (runtime) => [inventoryConsumer(runtime)],
  };
}
