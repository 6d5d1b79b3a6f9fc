import { loaderById } from '#platform/subgraph';
import type { StockItem } from '../generated/prisma/client.js';
import type { StockRepository } from '../repositories/stock.repository.js';

/** Per-request loaders, made with every context. */
export function createInventoryLoaders(repos: { stock: StockRepository }) {
  return {
    stockByProductId: loaderById<StockItem>((ids) => repos.stock.findByProductIds(ids), (s) => s.productId),
  };
}

export type InventoryLoaders = ReturnType<typeof createInventoryLoaders>;
