import { loaderById } from '../../../kernel/src/loaders.js';
import type { Category, Product } from '../generated/prisma/client.js';
import type { CategoryRepository } from '../repositories/category.repository.js';
import type { ProductRepository } from '../repositories/product.repository.js';

/** Per-request loaders, made with every context. */
export function createCatalogLoaders(repos: { products: ProductRepository; categories: CategoryRepository }) {
  return {
    productById: loaderById<Product>((ids) => repos.products.findByIds(ids), (p) => p.id),
    categoryById: loaderById<Category>((ids) => repos.categories.findByIds(ids), (c) => c.id),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
