import { defineEvent } from './event.js';

/**
 * Every event type the subgraphs exchange, each defined once. Payloads carry ids plus only what a
 * consumer needs to decide; bump the version when a payload changes incompatibly.
 */
export const CatalogEvents = {
  productCreated: defineEvent<{ productId: string; sku: string; name: string; price: { amount: number; currency: string } }>(
    'catalog.product.created', 1, 'Product'),
};

export const InventoryEvents = {
  stockAdjusted: defineEvent<{ productId: string; stockId: string; delta: number; available: number; reserved: number }>(
    'inventory.stock.adjusted', 1, 'Stock'),
};
