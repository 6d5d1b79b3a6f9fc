import type { ResolverContext } from '#platform/subgraph';
import type { AccountsData } from '../context.js';
import type { AccountsServices } from '../services/index.js';

/** What accounts' resolvers receive: the request context, and the services to call with it. */
export type AccountsResolverContext = ResolverContext<AccountsData, AccountsServices>;
