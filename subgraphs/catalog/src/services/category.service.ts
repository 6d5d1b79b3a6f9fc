import { isId } from '#platform/errors';
import { pageSize, toConnection, type Connection } from '#platform/subgraph';
import type { CatalogContext } from '../context.js';
import type { Category, Product } from '../generated/prisma/client.js';
import type { ProductService } from './product.service.js';

export class CategoryService {
  constructor(private readonly products: ProductService) {}

  all(ctx: CatalogContext): Promise<Category[]> {
    return ctx.repos.categories.all();
  }

  byReference(ctx: CatalogContext, id: string): Promise<Category | null> {
    return isId(id) ? ctx.loaders.categoryById.load(id.toLowerCase()) : Promise.resolve(null);
  }

  /** A category's products; first pages of many categories are loaded together. */
  async productsOf(ctx: CatalogContext, category: Category, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Product>> {
    if (after) return this.products.list(ctx, { first, after, categoryId: category.id });
    const size = pageSize(first);
    const [rows, total] = await Promise.all([ctx.loaders.firstProductsOfCategory(size).load(category.id), ctx.loaders.productCountOfCategory.load(category.id)]);
    return toConnection(rows, size, total, (p) => [p.name, p.id]);
  }
}
