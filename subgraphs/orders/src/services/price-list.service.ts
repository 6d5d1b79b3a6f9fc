import type { OrdersTransaction } from '../context.js';

/** Orders' own copy of catalog prices and names, kept from catalog's events: lines are priced from it. */
export class PriceListService {
  async record(tx: OrdersTransaction, product: { productId: string; sku: string; name: string; price: { amount: number; currency: string } }): Promise<void> {
    const { productId, sku, name, price } = product;
    await tx.repos.catalogProducts.upsert({ productId, sku, name, priceAmount: price.amount, currency: price.currency });
  }
}
