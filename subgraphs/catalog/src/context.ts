import { type RequestScope, type SubgraphRuntime, tenantScope } from '#platform/subgraph';
import type { CatalogDb, CatalogTx } from './db.js';
import { createCatalogLoaders } from './loaders/index.js';
import { CategoryRepository } from './repositories/category.repository.js';
import { ProductRepository } from './repositories/product.repository.js';
import { CategoryService } from './services/category.service.js';
import { ProductService } from './services/product.service.js';

export type CatalogRuntime = SubgraphRuntime<CatalogDb, CatalogTx>;

function makeScope(scope: RequestScope, runtime: CatalogRuntime) {
  return tenantScope(scope.identity, (caller) => {
    const products = new ProductRepository(runtime.db, caller.tenantId);
    const categories = new CategoryRepository(runtime.db, caller.tenantId);
    return { products, categories, loaders: createCatalogLoaders({ products, categories }) };
  });
}

export type CatalogContextScope = ReturnType<typeof makeScope>;

/** Per request: the caller's scope, tenant-bound repositories and loaders (made on first use), services. */
export function createCatalogContext(scope: RequestScope, runtime: CatalogRuntime) {
  const tenant = makeScope(scope, runtime);
  const products = new ProductService(tenant, runtime);
  return { ...scope, products, categories: new CategoryService(tenant, products) };
}

export type CatalogContext = ReturnType<typeof createCatalogContext>;
