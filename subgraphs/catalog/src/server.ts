import { subgraphFiles } from '#contracts';
import type { SubgraphDefinition } from '#platform/subgraph';
import { createCatalogContext, type CatalogContext } from './context.js';
import { createCatalogDb, type CatalogDb, type CatalogTx } from './db.js';
import { resolvers } from './resolvers/index.js';

/** The catalog subgraph: products and categories. */
export function catalogSubgraph(): SubgraphDefinition<CatalogDb, CatalogTx, CatalogContext> {
  return { name: 'catalog',
    ...subgraphFiles('catalog'), createDb: createCatalogDb, resolvers, createContext: createCatalogContext };
}
