import { storageError } from '#platform/db';
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
    // `contains` becomes LIKE: %, _ and \ in the search are meant literally, so they are escaped.
    const search = filter.search?.trim().replace(/[\\%_]/g, '\\$&');
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

  /**
   * The first `size + 1` products of each of many categories, by (name, id), in one statement: what
   * `categories { products(first:) }` needs without a query per category.
   */
  firstOfCategories(categoryIds: readonly string[], size: number): Promise<Product[]> {
    return this.db.$queryRawUnsafe<Product[]>(
      `SELECT "id", "tenantId", "sku", "name", "description", "priceAmount", "priceCurrency", "categoryId", "createdAt", "updatedAt"
         FROM (SELECT p.*, row_number() OVER (PARTITION BY p."categoryId" ORDER BY p."name", p."id") AS "rank"
                 FROM "catalog"."Product" p WHERE p."tenantId" = $1::uuid AND p."categoryId" = ANY($2::uuid[])) ranked
        WHERE "rank" <= $3 ORDER BY "categoryId", "name", "id"`,
      this.tenantId, [...categoryIds], size + 1,
    );
  }

  async countByCategories(categoryIds: readonly string[]): Promise<Map<string, number>> {
    const groups = await this.db.product.groupBy({ by: ['categoryId'], where: { tenantId: this.tenantId, categoryId: { in: [...categoryIds] } }, _count: { _all: true } });
    return new Map(groups.map((g) => [g.categoryId, g._count._all]));
  }

  count(filter: ProductFilter): Promise<number> {
    return this.db.product.count({ where: this.where(filter) });
  }

  skuExists(sku: string): Promise<boolean> {
    return this.db.product.findUnique({ where: { tenantId_sku: { tenantId: this.tenantId, sku } }, select: { id: true } }).then(Boolean);
  }

  /** Throws UniqueViolation when the tenant has a product with that sku. */
  create(data: Omit<Prisma.ProductUncheckedCreateInput, 'tenantId'>): Promise<Product> {
    return this.db.product.create({ data: { ...data, tenantId: this.tenantId } }).catch((error: unknown) => {
      throw storageError(error);
    });
  }
}
