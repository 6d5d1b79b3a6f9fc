import { CategoryService } from './category.service.js';
import { ProductService } from './product.service.js';

/** Catalog's services, made once per process; every method takes the request context first. */
export function createCatalogServices() {
  const products = new ProductService();
  return { products, categories: new CategoryService(products) };
}

export type CatalogServices = ReturnType<typeof createCatalogServices>;
