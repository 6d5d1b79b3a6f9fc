import type { ResolverContext } from '#platform/subgraph';
import type { InventoryData } from '../context.js';
import type { InventoryServices } from '../services/index.js';

/** What inventory's resolvers receive: the request context, and the services to call with it. */
export type InventoryResolverContext = ResolverContext<InventoryData, InventoryServices>;
