import type { OrdersClient } from '../db.js';
import type { CatalogProduct } from '../generated/prisma/client.js';

/** Orders' copy of catalog prices, for pricing lines at order time without reading catalog's database. */
export class CatalogProductRepository {
  constructor(
    private readonly db: OrdersClient,
    private readonly tenantId: string,
  ) {}

  findByIds(productIds: readonly string[]): Promise<CatalogProduct[]> {
    // raw SQL: every placeOrder prices its lines here, and Prisma's query compiler costs more than the statement
    return this.db.$queryRawUnsafe<CatalogProduct[]>(
      `SELECT "tenantId", "productId", "sku", "name", "priceAmount", "currency", "updatedAt" FROM "orders"."CatalogProduct"
        WHERE "tenantId" = $1::uuid AND "productId" = ANY($2::uuid[])`,
      this.tenantId, [...productIds],
    );
  }

  async upsert(product: { productId: string; sku: string; name: string; priceAmount: number; currency: string }): Promise<void> {
    await this.db.catalogProduct.upsert({
      where: { tenantId_productId: { tenantId: this.tenantId, productId: product.productId } },
      create: { ...product, tenantId: this.tenantId },
      update: { sku: product.sku, name: product.name, priceAmount: product.priceAmount, currency: product.currency },
    });
  }
}
