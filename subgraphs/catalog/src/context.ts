import type { DataAccess, RequestContext } from '#platform/subgraph';
import type { CatalogClient } from './db.js';
import { createCatalogLoaders, type CatalogLoaders } from './loaders/index.js';
import { CategoryRepository } from './repositories/category.repository.js';
import { ProductRepository } from './repositories/product.repository.js';
import { TenantCurrencyRepository } from './repositories/tenant-currency.repository.js';

export interface CatalogRepositories {
  products: ProductRepository;
  categories: CategoryRepository;
  currency: TenantCurrencyRepository;
}

export interface CatalogData {
  repos: CatalogRepositories;
  loaders: CatalogLoaders;
  directory: Record<string, never>;
}

/** How catalog reaches its data: repositories bound to the context's tenant, and loaders over them. */
export const catalogData: DataAccess<CatalogClient, CatalogData> = {
  repositories: (db, tenantId) => ({
    products: new ProductRepository(db, tenantId),
    categories: new CategoryRepository(db, tenantId),
    currency: new TenantCurrencyRepository(db, tenantId),
  }),
  loaders: createCatalogLoaders,
};

/** What every catalog service method takes first. */
export type CatalogContext = RequestContext<CatalogData>;
