import type { CatalogClient } from '../db.js';
import type { Prisma, Product } from '../generated/prisma/client.js';

export interface ProductFilter {
  search?: string | null;
  categoryId?: string | null;
}

/** Products of one tenant; the tenant is fixed at construction and part of every query. */
export class ProductRepository {
  constructor(
    private readonly db: CatalogClient,
    private readonly tenantId: string,
  ) {}

  private where(filter: ProductFilter): Prisma.ProductWhereInput {
    const search = filter.search?.trim();
    return {
      tenantId: this.tenantId,
      ...(filter.categoryId ? { categoryId: filter.categoryId } : {}),
      ...(search
        ? {
            OR: [
              { name: { contains: search, mode: 'insensitive' } },
              { sku: { contains: search, mode: 'insensitive' } },
              { description: { contains: search, mode: 'insensitive' } },
            ],
          }
        : {}),
    };
  }

  findByIds(ids: readonly string[]): Promise<Product[]> {
    return this.db.product.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  /** By name then id, `size + 1` rows after the cursor: the extra row tells that a next page exists. */
  page(filter: ProductFilter, size: number, after: { name: string; id: string } | null): Promise<Product[]> {
    return this.db.product.findMany({
      where: {
        AND: [
          this.where(filter),
          after ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] } : {},
        ],
      },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: size + 1,
    });
  }

  count(filter: ProductFilter): Promise<number> {
    return this.db.product.count({ where: this.where(filter) });
  }

  skuExists(sku: string): Promise<boolean> {
    return this.db.product.findUnique({ where: { tenantId_sku: { tenantId: this.tenantId, sku } }, select: { id: true } }).then(Boolean);
  }

  create(data: Omit<Prisma.ProductUncheckedCreateInput, 'tenantId'>): Promise<Product> {
    return this.db.product.create({ data: { ...data, tenantId: this.tenantId } });
  }
}
