import { isId } from '#platform/errors';
import type { CatalogContextScope } from '../context.js';
import type { Category, Product } from '../generated/prisma/client.js';
import { pageSize, toConnection, type Connection } from '#platform/subgraph';
import type { ProductService } from './product.service.js';

export class CategoryService {
  constructor(
    private readonly scope: CatalogContextScope,
    private readonly products: ProductService,
  ) {}

  all(): Promise<Category[]> {
    return this.scope().categories.all();
  }

  byReference(id: string): Promise<Category | null> {
    return isId(id) ? this.scope().loaders.categoryById.load(id.toLowerCase()) : Promise.resolve(null);
  }

  /** A category's products; first pages of many categories are loaded together. */
  async productsOf(category: Category, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Product>> {
    if (after) return this.products.list({ first, after, categoryId: category.id });
    const size = pageSize(first);
    const { loaders } = this.scope();
    const [rows, total] = await Promise.all([loaders.firstProductsOfCategory(size).load(category.id), loaders.productCountOfCategory.load(category.id)]);
    return toConnection(rows, size, total, (p) => [p.name, p.id]);
  }
}
