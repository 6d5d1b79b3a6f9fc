import type { ResolverContext } from '#platform/subgraph';
import type { CatalogData } from '../context.js';
import type { CatalogServices } from '../services/index.js';

/** What catalog's resolvers receive: the request context, and the services to call with it. */
export type CatalogResolverContext = ResolverContext<CatalogData, CatalogServices>;
