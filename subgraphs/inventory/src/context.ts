import { type RequestScope, type SubgraphRuntime, tenantScope } from '#platform/subgraph';
import type { InventoryDb, InventoryTx } from './db.js';
import { createInventoryLoaders } from './loaders/index.js';
import { StockRepository } from './repositories/stock.repository.js';
import { StockService } from './services/stock.service.js';

export type InventoryRuntime = SubgraphRuntime<InventoryDb, InventoryTx>;

function makeScope(scope: RequestScope, runtime: InventoryRuntime) {
  return tenantScope(scope.identity, (caller) => {
    const stock = new StockRepository(runtime.db, caller.tenantId);
    return { stock, loaders: createInventoryLoaders({ stock }) };
  });
}

export type InventoryContextScope = ReturnType<typeof makeScope>;

export function createInventoryContext(scope: RequestScope, runtime: InventoryRuntime) {
  return { ...scope, stock: new StockService(makeScope(scope, runtime), runtime) };
}

export type InventoryContext = ReturnType<typeof createInventoryContext>;
