import type { RequestScope, SubgraphRuntime } from '../../kernel/src/subgraph.js';
import { tenantScope } from '../../kernel/src/tenant-scope.js';
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
