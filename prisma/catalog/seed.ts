import type { CatalogDb } from '../../subgraphs/catalog/src/db.js';
import { DEMO_TENANTS } from '../demo-data.js';

export async function seedCatalog(db: CatalogDb): Promise<void> {
  await db.tenantCurrency.createMany({ data: DEMO_TENANTS.map((t) => ({ tenantId: t.id, currency: t.currency })), skipDuplicates: true });
  await db.category.createMany({ data: DEMO_TENANTS.flatMap((t) => t.categories.map((c) => ({ ...c, tenantId: t.id }))), skipDuplicates: true });
  await db.product.createMany({
    data: DEMO_TENANTS.flatMap((t) =>
      t.products.map((p) => ({
        id: p.id, tenantId: t.id, sku: p.sku, name: p.name, description: p.description,
        priceAmount: p.priceAmount, priceCurrency: p.currency, categoryId: p.categoryId,
      })),
    ),
    skipDuplicates: true,
  });
}
