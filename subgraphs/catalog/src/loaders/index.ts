import DataLoader from 'dataloader';
import { loaderById, loaderOfChildren } from '#platform/subgraph';
import type { Category, Product } from '../generated/prisma/client.js';
import type { CategoryRepository } from '../repositories/category.repository.js';
import type { ProductRepository } from '../repositories/product.repository.js';

/** Per-request loaders, made with every context. */
export function createCatalogLoaders(repos: { products: ProductRepository; categories: CategoryRepository }) {
  const firstOfCategoryBySize = new Map<number, DataLoader<string, Product[]>>();
  return {
    productById: loaderById<Product>((ids) => repos.products.findByIds(ids), (p) => p.id),
    categoryById: loaderById<Category>((ids) => repos.categories.findByIds(ids), (c) => c.id),
    /** The first page (size + 1 rows) of products of each category; one loader per page size. */
    firstProductsOfCategory(size: number): DataLoader<string, Product[]> {
      let loader = firstOfCategoryBySize.get(size);
      if (!loader) {
        loader = loaderOfChildren<Product>((ids) => repos.products.firstOfCategories(ids, size), (p) => p.categoryId);
        firstOfCategoryBySize.set(size, loader);
      }
      return loader;
    },
    productCountOfCategory: new DataLoader<string, number>(async (ids) => {
      const counts = await repos.products.countByCategories(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
