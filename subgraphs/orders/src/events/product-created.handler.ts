import { idempotentConsumer } from '../../../kernel/src/events/consumer.js';
import { CatalogEvents } from '../../../kernel/src/events/contracts.js';
import type { OrdersRuntime } from '../context.js';
import { CatalogProductRepository } from '../repositories/catalog-product.repository.js';

/** Keeps orders' price list current, so a new product can be ordered at its catalog price. */
export function productCreatedHandler(runtime: OrdersRuntime) {
  return idempotentConsumer(runtime, 'orders.product-created', CatalogEvents.productCreated, async (tx, event) => {
    const { productId, sku, name, price } = event.payload;
    await new CatalogProductRepository(tx, event.tenantId).upsert({ productId, sku, name, priceAmount: price.amount, currency: price.currency });
  });
}
