import type { ResolverContext } from '#platform/subgraph';
import type { OrdersData } from '../context.js';
import type { OrdersServices } from '../services/index.js';

/** What orders' resolvers receive: the request context, and the services to call with it. */
export type OrdersResolverContext = ResolverContext<OrdersData, OrdersServices>;
