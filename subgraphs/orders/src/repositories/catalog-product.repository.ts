import type { OrdersClient } from '../db.js';
import type { CatalogProduct } from '../generated/prisma/client.js';

/** Orders' copy of catalog prices, for pricing lines at order time without reading catalog's database. */
export class CatalogProductRepository {
  constructor(
    private readonly db: OrdersClient,
    private readonly tenantId: string,
  ) {}

  findByIds(productIds: readonly string[]): Promise<CatalogProduct[]> {
    return this.db.catalogProduct.findMany({ where: { tenantId: this.tenantId, productId: { in: [...productIds] } } });
  }

  async upsert(product: { productId: string; sku: string; name: string; priceAmount: number; currency: string }): Promise<void> {
    await this.db.catalogProduct.upsert({
      where: { tenantId_productId: { tenantId: this.tenantId, productId: product.productId } },
      create: { ...product, tenantId: this.tenantId },
      update: { sku: product.sku, name: product.name, priceAmount: product.priceAmount, currency: product.currency },
    });
  }
}
