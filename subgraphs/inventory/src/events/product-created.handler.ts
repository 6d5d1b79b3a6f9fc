import { idempotentConsumer } from '../../../kernel/src/events/consumer.js';
import { CatalogEvents } from '../../../kernel/src/events/contracts.js';
import type { InventoryRuntime } from '../context.js';
import { StockRepository } from '../repositories/stock.repository.js';

/** A new product starts with an empty stock record, so admins can adjust it. */
export function productCreatedHandler(runtime: InventoryRuntime) {
  return idempotentConsumer(runtime, 'inventory.product-created', CatalogEvents.productCreated, async (tx, event) => {
    await new StockRepository(tx, event.tenantId).createForProduct(event.payload.productId);
  });
}
