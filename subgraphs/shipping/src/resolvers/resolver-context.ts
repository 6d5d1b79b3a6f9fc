import type { ResolverContext } from '#platform/subgraph';
import type { ShippingData } from '../context.js';
import type { ShippingServices } from '../services/index.js';

/** What shipping's resolvers receive: the request context, and the services to call with it. */
export type ShippingResolverContext = ResolverContext<ShippingData, ShippingServices>;
