import { isId } from '../../../kernel/src/validation.js';
import type { CatalogContextScope } from '../context.js';
import type { Category, Product } from '../generated/prisma/client.js';
import type { Connection } from '../../../kernel/src/pagination.js';
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

  productsOf(category: Category, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Product>> {
    return this.products.list({ first, after, categoryId: category.id });
  }
}
