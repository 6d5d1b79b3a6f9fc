import type { ResolverContext } from '#platform/subgraph';
import type { PaymentsData } from '../context.js';
import type { PaymentsServices } from '../services/index.js';

/** What payments' resolvers receive: the request context, and the services to call with it. */
export type PaymentsResolverContext = ResolverContext<PaymentsData, PaymentsServices>;
