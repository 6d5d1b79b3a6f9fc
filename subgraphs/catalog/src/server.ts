import type { SubgraphDefinition } from '#platform/subgraph';
import { subgraphFiles } from '#contracts';
import { catalogData, type CatalogData } from './context.js';
import { createCatalogDb, type CatalogDb, type CatalogTx } from './db.js';
import { resolvers } from './resolvers/index.js';
import { createCatalogServices, type CatalogServices } from './services/index.js';

/** The catalog subgraph: products and categories. */
export function catalogSubgraph(): SubgraphDefinition<CatalogDb, CatalogTx, CatalogData, CatalogServices> {
  return { name: 'catalog', ...subgraphFiles('catalog'), createDb: createCatalogDb, data: catalogData, services: createCatalogServices, resolvers };
}
