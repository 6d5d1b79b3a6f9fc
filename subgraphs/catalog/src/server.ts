import type { SubgraphDefinition } from '../../kernel/src/subgraph.js';
import { createCatalogContext, type CatalogContext } from './context.js';
import { createCatalogDb, type CatalogDb, type CatalogTx } from './db.js';
import { resolvers } from './resolvers/index.js';

/** The catalog subgraph: products and categories. */
export function catalogSubgraph(): SubgraphDefinition<CatalogDb, CatalogTx, CatalogContext> {
  return { name: 'catalog', createDb: createCatalogDb, resolvers, createContext: createCatalogContext };
}
