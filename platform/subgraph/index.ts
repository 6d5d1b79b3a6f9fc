// What a subgraph is made of: the server that runs one, and the helpers its services share.
export {
  assembleSubgraph, startSubgraph, type AssembledSubgraph, type PrismaLike, type ResolverContext, type RunningSubgraph, type StartOptions, type SubgraphDefinition, type SubgraphRuntime,
} from './start-subgraph.js';
export { type ContextData, type DataAccess, type RequestContext, type TransactionContext } from './request-context.js';
export { on, onOwnTransactions, type EventConsumer, type Route } from './event-consumers.js';
export { runStandalone } from './run-standalone.js';
export { loaderById, loaderOfChildren } from './loaders.js';
export { decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize, toConnection, type Connection } from './pagination.js';
export { DateTime } from './scalars.js';
